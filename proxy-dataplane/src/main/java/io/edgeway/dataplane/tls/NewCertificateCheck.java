package io.edgeway.dataplane.tls;

import io.edgeway.dataplane.config.ConfigError;
import java.math.BigInteger;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECPoint;

/**
 * The apply-time check of one new certificate of a snapshot: the chain parses, the key is PKCS#8 of the leaf's
 * algorithm, and it is the private half of the leaf's public key (EC: through {@link EcKeyBatch}; RSA: modulus
 * and public exponent). Why not the JDK's X.509 and key parsers, as {@link ParsedCertificate} uses, nor
 * BouncyCastle's ASN.1 objects (used here until 2026-12-07): both build an object graph per certificate (17 KB,
 * then 6 KB for the leaf alone) to read one public key, and applying 10,000 new certificates spent more time
 * collecting that garbage, and compiling that much parsing code, than checking. Here the leaf and the key are
 * read in place ({@link KeyDer}: the whole leaf checked for DER well-formedness and the certificate's shape, the
 * key fields read as numbers and curve points). The control plane has already parsed every certificate with
 * the JDK when it was written; the engine parses each again when its context compiles (first handshake), and
 * refuses it then by name.
 *
 * <p>Errors never quote the PEM: a parser's message could contain key material.
 */
final class NewCertificateCheck {
    /** The curves the JDK and BoringSSL both serve, by OID: each with one generator object (see {@link EcKeyBatch}). */
    private record Curve(byte[] oid, ECPoint g) {}

    private static final List<Curve> CURVES = List.of(
            curve(SECObjectIdentifiers.secp256r1), curve(SECObjectIdentifiers.secp384r1), curve(SECObjectIdentifiers.secp521r1));

    private NewCertificateCheck() {}

    private static Curve curve(ASN1ObjectIdentifier oid) {
        byte[] encoded;
        try {
            encoded = oid.getEncoded(); // tag, length, contents: the contents are what KeyDer compares
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return new Curve(java.util.Arrays.copyOfRange(encoded, 2, encoded.length), CustomNamedCurves.getByOID(oid).getG());
    }

    /**
     * The key type ("EC" or "RSA"), or null with the reasons added to {@code errors}. An EC key's match with
     * the leaf is left to {@code batch} under {@code id}: the caller must report {@link EcKeyBatch#mismatched()}
     * with {@link ParsedCertificate#keyMismatch} before the snapshot may apply.
     */
    static String check(String chainPem, String keyPem, String name, List<ConfigError> errors, EcKeyBatch batch, int id) {
        byte[] leafDer = LeafPem.leafDer(chainPem, name, errors);
        if (leafDer == null) {
            return null;
        }
        KeyDer.PublicKey pub;
        try {
            pub = KeyDer.certificateKey(leafDer);
        } catch (Der.Malformed e) {
            errors.add(chainDoesNotParse(name));
            return null;
        }
        if (pub.algorithm().is(KeyDer.EC_PUBLIC_KEY)) {
            return checkEc(pub, keyPem, name, errors, batch, id) ? "EC" : null;
        }
        if (pub.algorithm().is(KeyDer.RSA_ENCRYPTION)) {
            return checkRsa(pub, keyPem, name, errors) ? "RSA" : null;
        }
        errors.add(new ConfigError("certificate", name, "cert_chain_pem",
                "the leaf's key is neither EC nor RSA (expected: ECDSA P-256, P-384, P-521 or RSA)"));
        return null;
    }

    private static boolean checkEc(KeyDer.PublicKey pub, String keyPem, String name, List<ConfigError> errors,
                                   EcKeyBatch batch, int id) {
        Curve curve = curveOf(pub.algorithm());
        ECPoint q = null;
        int[][] p256 = null;
        if (curve == CURVES.get(0)) {
            p256 = P256Pippenger.decode(pub.der(), pub.keyFrom(), pub.keyTo()); // nearly every key: no point objects
        } else if (curve != null) {
            try {
                byte[] encoded = pub.key();
                // uncompressed only, as the JDK reads it when the context compiles; decodePoint checks the curve
                q = encoded.length > 0 && encoded[0] == 0x04 ? curve.g().getCurve().decodePoint(encoded) : null;
            } catch (RuntimeException e) {
                q = null;
            }
        }
        if (p256 == null && (q == null || q.isInfinity())) {
            errors.add(new ConfigError("certificate", name, "cert_chain_pem",
                    "the leaf's EC key is not a point of P-256, P-384 or P-521"));
            return false;
        }
        KeyDer.PrivateKey key = pkcs8(keyPem);
        BigInteger d = null;
        Curve keyCurve = null;
        if (key != null && key.algorithm().is(KeyDer.EC_PUBLIC_KEY)) {
            try {
                keyCurve = curveOf(key.algorithm());
                d = KeyDer.ecSecret(key.der(), key.keyFrom(), key.keyTo());
            } catch (Der.Malformed e) {
                d = null;
            }
        }
        if (d == null || keyCurve == null) {
            errors.add(keyDoesNotParse(name, "EC"));
            return false;
        }
        // another curve, or a scalar outside [1, n-1]: no multiplication can make it match
        ECPoint g = curve.g();
        if (keyCurve != curve || d.signum() <= 0 || d.compareTo(g.getCurve().getOrder()) >= 0 
                || !(p256 != null ? batch.addP256(id, g, d, p256) : batch.add(id, g, d, q))) {
            errors.add(ParsedCertificate.keyMismatch(name));
            return false;
        }
        return true;
    }

    private static boolean checkRsa(KeyDer.PublicKey pub, String keyPem, String name, List<ConfigError> errors) {
        BigInteger[] certificate;
        try {
            certificate = KeyDer.rsaPublic(pub.der(), pub.keyFrom(), pub.keyTo());
        } catch (Der.Malformed e) {
            errors.add(chainDoesNotParse(name));
            return false;
        }
        KeyDer.PrivateKey info = pkcs8(keyPem);
        BigInteger[] key = null;
        if (info != null && info.algorithm().is(KeyDer.RSA_ENCRYPTION)) {
            try {
                key = KeyDer.rsaModulusAndExponent(info.der(), info.keyFrom(), info.keyTo());
            } catch (Der.Malformed e) {
                key = null;
            }
        }
        if (key == null) {
            errors.add(keyDoesNotParse(name, "RSA"));
            return false;
        }
        if (!key[0].equals(certificate[0]) || !key[1].equals(certificate[1])) {
            errors.add(ParsedCertificate.keyMismatch(name));
            return false;
        }
        return true;
    }

    /** The PKCS#8 structure of the key PEM's first PRIVATE KEY block; null when there is none or it is malformed. */
    private static KeyDer.PrivateKey pkcs8(String pem) {
        try {
            byte[] der = PrivateKeyPem.der(pem);
            return der == null ? null : KeyDer.pkcs8(der);
        } catch (Der.Malformed | IllegalArgumentException e) { // IllegalArgumentException: not base64
            return null;
        }
    }

    /** The named curve of EC parameters, when one we serve; null for others and explicit parameters. */
    private static Curve curveOf(KeyDer.Algorithm algorithm) {
        if (algorithm.paramsTag() != Der.OID) {
            return null;
        }
        for (Curve c : CURVES) {
            if (java.util.Arrays.equals(algorithm.der(), algorithm.paramsFrom(), algorithm.paramsTo(), c.oid(), 0, c.oid().length)) {
                return c;
            }
        }
        return null;
    }

    private static ConfigError chainDoesNotParse(String name) {
        return new ConfigError("certificate", name, "cert_chain_pem", "does not parse (expected: PEM X.509 certificates, leaf first)");
    }

    private static ConfigError keyDoesNotParse(String name, String algorithm) {
        return new ConfigError("certificate", name, "private_key_pem",
                "does not parse (expected: a PKCS#8 PEM " + algorithm + " private key)");
    }
}
