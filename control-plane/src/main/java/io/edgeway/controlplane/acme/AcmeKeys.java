package io.edgeway.controlplane.acme;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;

/** EC P-256 key pairs kept as PKCS#8 only: the public half is recomputed from the private scalar. */
final class AcmeKeys {
    private AcmeKeys() {}

    /** A new EC P-256 key pair, from the JDK's provider (acme4j's helper asks for BouncyCastle's by name). */
    static KeyPair newKeyPair() {
        try {
            java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
            g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 not available", e);
        }
    }

    static String pem(java.security.cert.X509Certificate cert) {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                    + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(cert.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyPair keyPair(byte[] pkcs8) {
        if (pkcs8 == null) {
            throw new IllegalStateException("no stored key");
        }
        try {
            KeyFactory ec = KeyFactory.getInstance("EC");
            PrivateKey priv = ec.generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            ECPrivateKey p = (ECPrivateKey) priv;
            ECNamedCurveParameterSpec curve = ECNamedCurveTable.getParameterSpec("secp256r1");
            org.bouncycastle.math.ec.ECPoint q = curve.getG().multiply(p.getS()).normalize();
            ECPoint w = new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
            PublicKey pub = ec.generatePublic(new ECPublicKeySpec(w, p.getParams()));
            return new KeyPair(pub, priv);
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IllegalStateException("stored key: not an EC P-256 PKCS#8 key", e);
        }
    }
}
