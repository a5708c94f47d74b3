package io.edgeway.dataplane.tls;

import java.math.BigInteger;

/**
 * The few fields a new certificate's check needs, read in place from DER with {@link Der}: the leaf's
 * SubjectPublicKeyInfo (every other field of the certificate is checked for well-formedness and shape, not
 * read), and the PKCS#8 private key's algorithm, curve and secret. Every method throws {@link Der.Malformed}
 * for input that BouncyCastle's typed parse (the reference of {@code KeyDerTest}) would refuse.
 */
final class KeyDer {
    static final byte[] EC_PUBLIC_KEY = {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
    static final byte[] RSA_ENCRYPTION = {0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01};

    /** An algorithm and its parameters, as ranges of {@code der}: params is [paramsFrom, paramsTo) with its tag. */
    record Algorithm(byte[] der, int oidFrom, int oidTo, int paramsTag, int paramsFrom, int paramsTo) {
        boolean is(byte[] oid) {
            return java.util.Arrays.equals(der, oidFrom, oidTo, oid, 0, oid.length);
        }
    }

    /** The leaf's public key: its algorithm, and the key bits (the BIT STRING's bytes after its pad count). */
    record PublicKey(Algorithm algorithm, byte[] der, int keyFrom, int keyTo) {
        byte[] key() {
            return java.util.Arrays.copyOfRange(der, keyFrom, keyTo);
        }
    }

    /** A PKCS#8 key's algorithm, and its private key's DER (the OCTET STRING's content) as a range. */
    record PrivateKey(Algorithm algorithm, byte[] der, int keyFrom, int keyTo) {}

    private KeyDer() {}

    /** The public key of a whole X.509 certificate's DER, after checking its structure. */
    static PublicKey certificateKey(byte[] der) {
        new Der(der, 0, der.length).checkAll();
        Der certificate = Der.one(der, Der.SEQUENCE).inside();
        Der tbs = certificate.expect(Der.SEQUENCE).inside();
        algorithm(certificate.expect(Der.SEQUENCE).inside(), der);        // signatureAlgorithm
        certificate.expect(Der.BIT_STRING);                                // signature
        certificate.end();

        int version = 0;
        if (tbs.optional(0xa0)) {                                          // [0] EXPLICIT version
            Der v = tbs.inside().expect(Der.INTEGER);
            version = smallInteger(v);
            v.end();
            if (version < 0 || version > 2) {
                throw new Der.Malformed();
            }
        }
        tbs.expect(Der.INTEGER);                                           // serialNumber
        algorithm(tbs.expect(Der.SEQUENCE).inside(), der);                 // signature
        name(tbs.expect(Der.SEQUENCE).inside());                           // issuer
        Der validity = tbs.expect(Der.SEQUENCE).inside();
        time(validity);
        time(validity);
        validity.end();
        name(tbs.expect(Der.SEQUENCE).inside());                           // subject
        Der spki = tbs.expect(Der.SEQUENCE).inside();
        Algorithm algorithm = algorithm(spki.expect(Der.SEQUENCE).inside(), der);
        spki.expect(Der.BIT_STRING);
        int keyFrom = spki.from() + 1;
        if (der[spki.from()] != 0) {
            throw new Der.Malformed(); // a key is whole bytes
        }
        int keyTo = spki.to();
        spki.end();
        boolean uniqueIds = false;
        for (int implicit : new int[] {0x81, 0x82}) {                      // v2+ issuer / subject unique ids
            if (tbs.optional(implicit)) {
                tbs.checkAs(Der.BIT_STRING);
                uniqueIds = true;
            }
        }
        boolean extensions = tbs.optional(0xa3);
        if (extensions) {
            Der list = tbs.inside().expect(Der.SEQUENCE);
            list.end();
            extensions(list.inside());
        }
        tbs.end();
        if ((uniqueIds && version < 1) || (extensions && version < 2)) {
            throw new Der.Malformed();
        }
        return new PublicKey(algorithm, der, keyFrom, keyTo);
    }

    /** A PKCS#8 PrivateKeyInfo (version 0 or 1, optional attributes and public key). */
    static PrivateKey pkcs8(byte[] der) {
        new Der(der, 0, der.length).checkAll();
        Der info = Der.one(der, Der.SEQUENCE).inside();
        int version = smallInteger(info.expect(Der.INTEGER));
        if (version != 0 && version != 1) {
            throw new Der.Malformed();
        }
        Algorithm algorithm = algorithm(info.expect(Der.SEQUENCE).inside(), der);
        info.expect(Der.OCTET_STRING);
        int keyFrom = info.from(), keyTo = info.to();
        info.optional(0xa0);                                               // [0] IMPLICIT attributes
        if (info.optional(0x81)) {                                         // [1] IMPLICIT publicKey, v2 only
            publicKeyField(info, version);
        }
        info.end();
        return new PrivateKey(algorithm, der, keyFrom, keyTo);
    }

    /** The secret scalar of a SEC1 ECPrivateKey: SEQUENCE { version, OCTET STRING d, [0] params?, [1] key? }. */
    static BigInteger ecSecret(byte[] der, int from, int to) {
        Der key = sequenceContent(der, from, to);
        key.expect(Der.INTEGER);
        key.expect(Der.OCTET_STRING);
        BigInteger d = new BigInteger(1, der, key.from(), key.to() - key.from());
        key.optional(0xa0);
        key.optional(0xa1);
        key.end();
        return d;
    }

    /** The modulus and public exponent of a PKCS#1 RSAPrivateKey (version 0 or 1, then eight integers). */
    static BigInteger[] rsaModulusAndExponent(byte[] der, int from, int to) {
        Der key = sequenceContent(der, from, to);
        int version = smallInteger(key.expect(Der.INTEGER));
        if (version != 0 && version != 1) {
            throw new Der.Malformed();
        }
        BigInteger n = integer(key.expect(Der.INTEGER));
        BigInteger e = integer(key.expect(Der.INTEGER));
        for (int i = 0; i < 6; i++) {
            key.expect(Der.INTEGER); // d, p, q, dP, dQ, qInv
        }
        if (version == 1) {
            key.expect(Der.SEQUENCE); // otherPrimeInfos
        }
        key.end();
        return new BigInteger[] {n, e};
    }

    /** The modulus and exponent of a PKCS#1 RSAPublicKey (the certificate's key bits). */
    static BigInteger[] rsaPublic(byte[] der, int from, int to) {
        Der key = sequenceContent(der, from, to);
        BigInteger n = integer(key.expect(Der.INTEGER));
        BigInteger e = integer(key.expect(Der.INTEGER));
        key.end();
        return new BigInteger[] {n, e};
    }

    private static void publicKeyField(Der info, int version) {
        info.checkAs(Der.BIT_STRING);
        if (version == 0) {
            throw new Der.Malformed();
        }
    }

    /** The content of the one well-formed SEQUENCE that {@code der[from, to)} must be. */
    private static Der sequenceContent(byte[] der, int from, int to) {
        new Der(der, from, to).checkAll();
        Der outer = new Der(der, from, to).expect(Der.SEQUENCE);
        outer.end();
        return outer.inside();
    }

    private static Algorithm algorithm(Der id, byte[] der) {
        id.expect(Der.OID);
        int oidFrom = id.from(), oidTo = id.to();
        int paramsTag = -1, paramsFrom = 0, paramsTo = 0;
        if (id.next()) {
            paramsTag = id.tag();
            paramsFrom = id.from();
            paramsTo = id.to();
        }
        id.end();
        return new Algorithm(der, oidFrom, oidTo, paramsTag, paramsFrom, paramsTo);
    }

    /** SEQUENCE OF SET OF SEQUENCE { OID, ANY } (the outer SEQUENCE already entered). */
    private static void name(Der rdns) {
        while (rdns.next()) {
            if (rdns.tag() != Der.SET) {
                throw new Der.Malformed();
            }
            Der set = rdns.inside();
            while (set.next()) {
                if (set.tag() != Der.SEQUENCE) {
                    throw new Der.Malformed();
                }
                Der pair = set.inside();
                pair.expect(Der.OID);
                if (!pair.next()) {
                    throw new Der.Malformed();
                }
                pair.end();
            }
        }
    }

    private static void time(Der validity) {
        if (!validity.next() || (validity.tag() != 0x17 && validity.tag() != 0x18)) {
            throw new Der.Malformed();
        }
    }

    /** SEQUENCE OF SEQUENCE { OID, BOOLEAN critical?, OCTET STRING } (the outer SEQUENCE already entered). */
    private static void extensions(Der list) {
        while (list.next()) {
            if (list.tag() != Der.SEQUENCE) {
                throw new Der.Malformed();
            }
            Der ext = list.inside();
            ext.expect(Der.OID);
            ext.optional(Der.BOOLEAN);
            ext.expect(Der.OCTET_STRING);
            ext.end();
        }
    }

    private static int smallInteger(Der d) {
        int length = d.to() - d.from();
        return length == 1 ? d.bytes()[d.from()] : -1;
    }

    private static BigInteger integer(Der d) {
        return new BigInteger(d.bytes(), d.from(), d.to() - d.from());
    }
}
