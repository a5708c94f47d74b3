package io.edgeway.controlplane.model;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * Whether an EC private key is the leaf's: its scalar d times the curve's generator is the leaf's public point.
 * That is what a test signature and its verification showed, without them: the JDK's ECDSA verify (two
 * scalar multiplications by arbitrary points, no tables) was 90 % of a 10,000-certificate POST, 17-27 s; one
 * fixed-base multiplication with BouncyCastle's precomputed comb is a small fraction of that. Every key is still
 * checked against its own leaf, exactly, once.
 */
final class EcKeyMatch {
    private EcKeyMatch() {}

    /**
     * True when {@code key}·G equals the leaf's public point on the leaf's named curve. False when they differ,
     * or when the curves differ or are not named curves BouncyCastle knows (the caller then refuses the key).
     */
    static boolean matches(ECPrivateKey key, X509Certificate leaf) {
        if (!(leaf.getPublicKey() instanceof ECPublicKey pub)
                || !key.getParams().getOrder().equals(pub.getParams().getOrder())
                || !key.getParams().getCurve().equals(pub.getParams().getCurve())
                || !key.getParams().getGenerator().equals(pub.getParams().getGenerator())) {
            return false;
        }
        SubjectPublicKeyInfo spki;
        try {
            spki = SubjectPublicKeyInfo.getInstance(pub.getEncoded());
        } catch (RuntimeException e) { // BouncyCastle reports malformed input as IllegalArgumentException and kin
            return false;
        }
        if (!(spki.getAlgorithm().getParameters() instanceof ASN1ObjectIdentifier curveId)) {
            return false; // explicit parameters: not a named curve (the proxies serve named curves only)
        }
        X9ECParameters curve = CustomNamedCurves.getByOID(curveId);
        if (curve == null) {
            return false;
        }
        BigInteger d = key.getS();
        if (d.signum() <= 0 || d.compareTo(curve.getN()) >= 0) {
            return false;
        }
        ECPoint expected;
        try {
            expected = curve.getCurve().decodePoint(spki.getPublicKeyData().getOctets());
        } catch (RuntimeException e) {
            return false;
        }
        ECPoint derived = new FixedPointCombMultiplier().multiply(curve.getG(), d);
        return derived.equals(expected);
    }
}
