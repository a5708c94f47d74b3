package io.edgeway.dataplane.tls;

import io.edgeway.dataplane.config.ConfigError;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECPoint;

/**
 * The apply-time check of one new certificate of a snapshot: the chain parses, the key is PKCS#8 of the leaf's
 * algorithm, and it is the private half of the leaf's public key (EC: through {@link EcKeyBatch}; RSA: modulus
 * and public exponent). Why not the JDK's X.509 and key parsers, as {@link ParsedCertificate} uses: they built a
 * full object graph per certificate (17 KB allocated for a P-256 leaf, plus the factory's own cache of soft
 * references) to read one public key, and applying 10,000 new certificates spent more time collecting that
 * garbage than checking. Here the leaf is parsed with BouncyCastle's ASN.1 structures (TBS fields, names,
 * validity, the key info: a strict DER parse, ~6 KB) and the keys are read as numbers and curve points, never as
 * JDK key objects. The control plane has already parsed every certificate with the JDK when it was written; the
 * engine parses each again when its context compiles (first handshake), and refuses it then by name.
 *
 * <p>Errors never quote the PEM: a parser's message could contain key material.
 */
final class NewCertificateCheck {
    /** The curves the JDK and BoringSSL both serve, by OID: each with one generator object (see {@link EcKeyBatch}). */
    private static final Map<ASN1ObjectIdentifier, ECPoint> GENERATORS = Map.of(
            SECObjectIdentifiers.secp256r1, CustomNamedCurves.getByOID(SECObjectIdentifiers.secp256r1).getG(),
            SECObjectIdentifiers.secp384r1, CustomNamedCurves.getByOID(SECObjectIdentifiers.secp384r1).getG(),
            SECObjectIdentifiers.secp521r1, CustomNamedCurves.getByOID(SECObjectIdentifiers.secp521r1).getG());

    private NewCertificateCheck() {}

    /**
     * The key type ("EC" or "RSA"), or null with the reasons added to {@code errors}. An EC key's match with
     * the leaf is left to {@code batch} under {@code id}: the caller must report {@link EcKeyBatch#mismatched()}
     * with {@link ParsedCertificate#keyMismatch} before the snapshot may apply.
     */
    static String check(String chainPem, String keyPem, String name, List<ConfigError> errors, EcKeyBatch batch, int id) {
        byte[] leafDer = ParsedCertificate.leafDer(chainPem, name, errors);
        if (leafDer == null) {
            return null;
        }
        SubjectPublicKeyInfo spki;
        try {
            spki = Certificate.getInstance(leafDer).getSubjectPublicKeyInfo();
        } catch (RuntimeException e) { // BouncyCastle reports malformed input as IllegalArgumentException and kin
            errors.add(chainDoesNotParse(name));
            return null;
        }
        ASN1ObjectIdentifier algorithm = spki.getAlgorithm().getAlgorithm();
        if (algorithm.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
            return checkEc(spki, keyPem, name, errors, batch, id) ? "EC" : null;
        }
        if (algorithm.equals(PKCSObjectIdentifiers.rsaEncryption)) {
            return checkRsa(spki, keyPem, name, errors) ? "RSA" : null;
        }
        errors.add(new ConfigError("certificate", name, "cert_chain_pem",
                "the leaf's key is neither EC nor RSA (expected: ECDSA P-256, P-384, P-521 or RSA)"));
        return null;
    }

    private static boolean checkEc(SubjectPublicKeyInfo spki, String keyPem, String name, List<ConfigError> errors,
                                   EcKeyBatch batch, int id) {
        ASN1ObjectIdentifier curve = namedCurve(spki.getAlgorithm().getParameters());
        ECPoint g = curve == null ? null : GENERATORS.get(curve);
        ECPoint q = null;
        if (g != null) {
            try {
                byte[] encoded = spki.getPublicKeyData().getOctets();
                // uncompressed only, as the JDK reads it when the context compiles; decodePoint checks the curve
                q = encoded.length > 0 && encoded[0] == 0x04 ? g.getCurve().decodePoint(encoded) : null;
            } catch (RuntimeException e) {
                q = null;
            }
        }
        if (q == null || q.isInfinity()) {
            errors.add(new ConfigError("certificate", name, "cert_chain_pem",
                    "the leaf's EC key is not a point of P-256, P-384 or P-521"));
            return false;
        }
        PrivateKeyInfo info = pkcs8(keyPem);
        BigInteger d = null;
        ASN1ObjectIdentifier keyCurve = null;
        if (info != null && info.getPrivateKeyAlgorithm().getAlgorithm().equals(X9ObjectIdentifiers.id_ecPublicKey)) {
            try {
                keyCurve = namedCurve(info.getPrivateKeyAlgorithm().getParameters());
                d = ECPrivateKey.getInstance(info.parsePrivateKey()).getKey();
            } catch (RuntimeException | java.io.IOException e) {
                d = null;
            }
        }
        if (d == null || keyCurve == null || !GENERATORS.containsKey(keyCurve)) {
            errors.add(keyDoesNotParse(name, "EC"));
            return false;
        }
        // another curve, or a scalar outside [1, n-1]: no multiplication can make it match
        if (!keyCurve.equals(curve) || d.signum() <= 0 || d.compareTo(g.getCurve().getOrder()) >= 0 || !batch.add(id, g, d, q)) {
            errors.add(ParsedCertificate.keyMismatch(name));
            return false;
        }
        return true;
    }

    private static boolean checkRsa(SubjectPublicKeyInfo spki, String keyPem, String name, List<ConfigError> errors) {
        RSAPublicKey pub;
        try {
            pub = RSAPublicKey.getInstance(spki.parsePublicKey());
        } catch (RuntimeException | java.io.IOException e) {
            errors.add(chainDoesNotParse(name));
            return false;
        }
        PrivateKeyInfo info = pkcs8(keyPem);
        RSAPrivateKey key = null;
        if (info != null && info.getPrivateKeyAlgorithm().getAlgorithm().equals(PKCSObjectIdentifiers.rsaEncryption)) {
            try {
                key = RSAPrivateKey.getInstance(info.parsePrivateKey());
            } catch (RuntimeException | java.io.IOException e) {
                key = null;
            }
        }
        if (key == null) {
            errors.add(keyDoesNotParse(name, "RSA"));
            return false;
        }
        if (!key.getModulus().equals(pub.getModulus()) || !key.getPublicExponent().equals(pub.getPublicExponent())) {
            errors.add(ParsedCertificate.keyMismatch(name));
            return false;
        }
        return true;
    }

    /** The PKCS#8 structure of the key PEM's first PRIVATE KEY block, exactly one DER element; null when it is not. */
    private static PrivateKeyInfo pkcs8(String pem) {
        try {
            byte[] der = PrivateKeyPem.der(pem);
            return der != null && ParsedCertificate.isOneDerElement(der) ? PrivateKeyInfo.getInstance(der) : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The curve OID of EC parameters; null for explicit parameters (refused: BoringSSL serves named curves only). */
    private static ASN1ObjectIdentifier namedCurve(ASN1Encodable parameters) {
        return parameters instanceof ASN1ObjectIdentifier oid ? oid : null;
    }

    private static ConfigError chainDoesNotParse(String name) {
        return new ConfigError("certificate", name, "cert_chain_pem", "does not parse (expected: PEM X.509 certificates, leaf first)");
    }

    private static ConfigError keyDoesNotParse(String name, String algorithm) {
        return new ConfigError("certificate", name, "private_key_pem",
                "does not parse (expected: a PKCS#8 PEM " + algorithm + " private key)");
    }
}
