package io.edgeway.dataplane.tls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.EllipticCurve;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * Is a private key the private half of a certificate's public key? For EC and RSA-CRT keys the public half
 * is derived from the private one and compared (an EC scalar multiplication with BouncyCastle's fixed-point
 * multiplier is ~20x cheaper than the JDK signing and verifying); other keys get a test signature verified
 * with the certificate's public key, as a TLS client would. Many EC keys at once: {@link EcKeyBatch}.
 */
final class KeyMatch {
    private static final Map<EllipticCurve, ECPoint> BC_GENERATORS = new ConcurrentHashMap<>();

    private KeyMatch() {}

    static boolean matches(PrivateKey key, X509Certificate leaf) {
        PublicKey pub = leaf.getPublicKey();
        if (key instanceof ECPrivateKey ec && pub instanceof ECPublicKey ecPub) {
            return ecMatches(ec, ecPub);
        }
        if (key instanceof RSAPrivateCrtKey rsa && pub instanceof RSAPublicKey rsaPub) {
            return rsa.getModulus().equals(rsaPub.getModulus()) && rsa.getPublicExponent().equals(rsaPub.getPublicExponent());
        }
        return signatureVerifies(key, pub);
    }

    /** d·G = Q, the expensive way: one scalar multiplication. */
    static boolean ecMatches(ECPrivateKey key, ECPublicKey pub) {
        ECPoint g = sameCurveGenerator(key, pub);
        if (g == null) {
            return false;
        }
        ECPoint q = new FixedPointCombMultiplier().multiply(g, key.getS()).normalize();
        return q.getAffineXCoord().toBigInteger().equals(pub.getW().getAffineX())
                && q.getAffineYCoord().toBigInteger().equals(pub.getW().getAffineY());
    }

    /**
     * BouncyCastle's generator of the key's curve when the key and the certificate are on the same curve and
     * the private scalar is in [1, n-1]; null when not, which no multiplication can make a match.
     */
    static ECPoint sameCurveGenerator(ECPrivateKey key, ECPublicKey pub) {
        if (!key.getParams().getCurve().equals(pub.getParams().getCurve())
                || !key.getParams().getGenerator().equals(pub.getParams().getGenerator())) {
            return null;
        }
        BigInteger d = key.getS();
        if (d.signum() <= 0 || d.compareTo(key.getParams().getOrder()) >= 0) {
            return null;
        }
        // one converted curve per JDK curve: the multiplier's precomputed table lives on its generator point
        return BC_GENERATORS.computeIfAbsent(key.getParams().getCurve(), c -> EC5Util.convertSpec(key.getParams()).getG());
    }

    private static boolean signatureVerifies(PrivateKey key, PublicKey pub) {
        try {
            String alg = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
            byte[] data = new byte[32];
            new SecureRandom().nextBytes(data);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(data);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(pub);
            v.update(data);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
