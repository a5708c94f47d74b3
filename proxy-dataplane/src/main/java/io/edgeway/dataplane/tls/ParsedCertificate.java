package io.edgeway.dataplane.tls;

import static java.util.Objects.requireNonNull;

import io.edgeway.dataplane.config.ConfigError;
import io.edgeway.proto.v1.Certificate;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One pushed certificate, parsed and checked with the JDK's parsers: the chain parses, the key is PKCS#8 and
 * matches the leaf's public key ({@link KeyMatch}). A snapshot's new certificates are checked the lighter way of
 * {@link NewCertificateCheck}, which shares this class's chain reading ({@link LeafPem}). {@link #toString()} names it and never shows the key; errors
 * say what is wrong without quoting any of the PEM.
 */
record ParsedCertificate(String name, List<X509Certificate> chain, PrivateKey key, List<String> snis,
                         String keyType, String fingerprint) {
    static final String BEGIN_CERTIFICATE = "-----BEGIN CERTIFICATE-----";
    static final String END_CERTIFICATE = "-----END CERTIFICATE-----";
    private static final int MAX_INTERMEDIATES = 1_000;
    /** Parsed intermediates by their exact PEM text (what follows the leaf); empty when they do not parse. */
    private static final Map<String, List<X509Certificate>> INTERMEDIATES = new ConcurrentHashMap<>();

    ParsedCertificate {
        requireNonNull(name, "name");
        chain = List.copyOf(chain);
        requireNonNull(key, "key");
        snis = List.copyOf(snis);
    }

    /** The certificate, or null with the reasons added to {@code errors}. */
    static ParsedCertificate parse(Certificate c, String name, List<ConfigError> errors) {
        int before = errors.size();
        List<String> snis = snis(c, name, errors);
        List<X509Certificate> chain = chain(c.getCertChainPem(), name, errors);
        PrivateKey key = chain.isEmpty() ? null : key(c.getPrivateKeyPem(), chain.get(0), name, errors);
        if (errors.size() != before || key == null) {
            return null;
        }
        return new ParsedCertificate(name, chain, key, snis, key.getAlgorithm(),
                fingerprint(c.getCertChainPem(), c.getPrivateKeyPem()));
    }

    static List<X509Certificate> parse(String pem) throws GeneralSecurityException {
        return Factories.get().x509
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))).stream()
                .map(X509Certificate.class::cast).toList();
    }

    /**
     * One PEM certificate. A plain block is decoded here and handed to the factory as DER, which it reads in
     * bulk, where it reads PEM one character at a time (a third of the parse). Same acceptance as the PEM
     * way: the header alone on its line, the body MIME-decoded as the factory does, and the DER exactly the
     * decoded bytes (the factory would stop after the first element and ignore the rest). Anything else
     * takes the PEM way itself.
     */
    private static List<X509Certificate> parseLeaf(String pem) throws GeneralSecurityException {
        byte[] der = plainBlockDer(pem);
        if (der == null) {
            return parse(pem);
        }
        if (!isOneDerElement(der)) {
            throw new java.security.cert.CertificateException("not one DER element");
        }
        return List.of((X509Certificate) Factories.get().x509.generateCertificate(new ByteArrayInputStream(der)));
    }

    /** The DER of a plain PEM certificate block (header alone on its line, nothing else around it); null otherwise. */
    private static byte[] plainBlockDer(String pem) {
        return LeafPem.plainBlockDer(pem, 0, pem.length());
    }

    /** The certificates after the leaf, parsed once per distinct text; empty when they do not parse. */
    /**
     * The certificates in {@code pem} from {@code from} (what follows a leaf), parsed once per distinct text. The last
     * text looked up is compared in place first: one CA's intermediates follow thousands of leaves in a row, and a
     * substring of each would copy them all on the apply of many new certificates.
     */
    static List<X509Certificate> intermediates(String pem, int from) {
        Intermediates last = lastIntermediates;
        int length = pem.length() - from;
        if (last != null && last.text().length() == length && pem.regionMatches(from, last.text(), 0, length)) {
            return last.parsed();
        }
        String rest = pem.substring(from);
        List<X509Certificate> intermediates = INTERMEDIATES.get(rest);
        if (intermediates == null) {
            try {
                intermediates = parse(rest);
            } catch (GeneralSecurityException | RuntimeException e) {
                intermediates = List.of();
            }
            if (INTERMEDIATES.size() >= MAX_INTERMEDIATES) {
                INTERMEDIATES.clear(); // a bound, not an eviction policy: sets of intermediates are few
            }
            INTERMEDIATES.put(rest, intermediates);
        }
        lastIntermediates = new Intermediates(rest, intermediates);
        return intermediates;
    }

    private record Intermediates(String text, List<X509Certificate> parsed) {}

    /** The last intermediates looked up (any thread's: each entry is immutable and correct). */
    private static volatile Intermediates lastIntermediates;

    /** A tag, a definite length, and exactly that many bytes after them. */
    static boolean isOneDerElement(byte[] der) {
        if (der.length < 2) {
            return false;
        }
        int first = der[1] & 0xff;
        long length = first;
        int header = 2;
        if (first >= 0x80) {
            int n = first & 0x7f;
            if (n == 0 || n > 4 || der.length < 2 + n) {
                return false; // indefinite (BER) or absurd
            }
            length = 0;
            for (int i = 0; i < n; i++) {
                length = (length << 8) | (der[2 + i] & 0xff);
            }
            header += n;
        }
        return header + length == der.length;
    }

    private static List<X509Certificate> concat(X509Certificate leaf, List<X509Certificate> rest) {
        List<X509Certificate> all = new java.util.ArrayList<>(rest.size() + 1);
        all.add(leaf);
        all.addAll(rest);
        return all;
    }

    /** The certificate's SNI names in lower case, each checked (also for a certificate whose chain and key are known good). */
    static List<String> snis(Certificate c, String name, List<ConfigError> errors) {
        // A loop, not a stream: one method fewer to compile on a proxy's first apply of thousands of certificates.
        String[] snis = new String[c.getSnisCount()];
        for (int i = 0; i < snis.length; i++) {
            snis[i] = c.getSnis(i).toLowerCase(Locale.ROOT); // the same String when already lower case
            if (!SniName.isHostOrWildcard(snis[i])) {
                errors.add(new ConfigError("certificate", name, "snis[" + i + "]",
                        "'" + c.getSnis(i) + "' (expected: a host name or *.suffix)"));
            }
        }
        return List.of(snis);
    }

    private static List<X509Certificate> chain(String pem, String name, List<ConfigError> errors) {
        try {
            // The intermediates after the leaf are shared by many certificates (one CA issues them all):
            // parsed once per distinct text. The leaf is always parsed.
            int leafEnd = pem.indexOf(END_CERTIFICATE);
            String rest = leafEnd < 0 ? "" : pem.substring(leafEnd + END_CERTIFICATE.length());
            List<X509Certificate> chain = rest.isBlank() ? parseLeaf(pem) : parseLeaf(pem.substring(0, leafEnd + END_CERTIFICATE.length()));
            if (chain.size() == 1 && !rest.isBlank()) {
                List<X509Certificate> intermediates = intermediates(pem, leafEnd + END_CERTIFICATE.length());
                chain = intermediates.isEmpty() ? List.of() : concat(chain.get(0), intermediates);
            }
            if (!chain.isEmpty()) {
                return chain;
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            // falls through: the reason is reported without the parser's text, which may quote input
        }
        errors.add(new ConfigError("certificate", name, "cert_chain_pem", "does not parse (expected: PEM X.509 certificates, leaf first)"));
        return List.of();
    }

    private static PrivateKey key(String pem, X509Certificate leaf, String name, List<ConfigError> errors) {
        String algorithm = leaf.getPublicKey().getAlgorithm();
        PrivateKey key = null;
        if (algorithm.equals("EC") || algorithm.equals("RSA")) {
            try {
                byte[] der = PrivateKeyPem.der(pem);
                key = der == null ? null : Factories.get().keys(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                key = null;
            }
        }
        if (key == null) {
            errors.add(new ConfigError("certificate", name, "private_key_pem",
                    "does not parse (expected: a PKCS#8 PEM " + algorithm + " private key)"));
            return null;
        }
        if (!KeyMatch.matches(key, leaf)) {
            errors.add(keyMismatch(name));
            return null;
        }
        return key;
    }

    /** The error for a key that is not the private half of its certificate's public key. */
    static ConfigError keyMismatch(String name) {
        return new ConfigError("certificate", name, "private_key_pem", "does not match the certificate's public key");
    }

    /** Identifies the chain and key without keeping the key's text: unchanged ones keep their compiled context. */
    static String fingerprint(String chain, String key) {
        MessageDigest d = Factories.get().sha256;
        d.reset(); // digest() resets too; this covers a call that failed half-way
        byte[] buffer = Factories.get().ascii;
        updateUtf8(d, chain, buffer);
        d.update((byte) 0);
        updateUtf8(d, key, buffer);
        return Base64.getEncoder().encodeToString(d.digest());
    }

    /**
     * {@code d.update(s.getBytes(UTF_8))} without the copy of the whole text (PEM is ASCII: byte = char), through
     * {@code buffer}; from the first other character on, the usual encoding. The same digest either way.
     */
    private static void updateUtf8(MessageDigest d, String s, byte[] buffer) {
        int n = s.length();
        for (int from = 0; from < n; ) {
            int len = Math.min(buffer.length, n - from);
            for (int j = 0; j < len; j++) {
                char ch = s.charAt(from + j);
                if (ch >= 0x80) {
                    d.update(buffer, 0, j);
                    d.update(s.substring(from + j).getBytes(StandardCharsets.UTF_8));
                    return;
                }
                buffer[j] = (byte) ch;
            }
            d.update(buffer, 0, len);
            from += len;
        }
    }

    /**
     * One set of JCA instances per thread: looking them up per certificate (a provider search each) was an
     * eighth of what checking 10,000 certificates allocated. Each is used for one call at a time.
     */
    private static final class Factories {
        private static final ThreadLocal<Factories> PER_THREAD = ThreadLocal.withInitial(Factories::new);
        final CertificateFactory x509;
        final KeyFactory ec;
        final KeyFactory rsa;
        final MessageDigest sha256;
        final byte[] ascii = new byte[1024]; // the fingerprint's encoding buffer

        private Factories() {
            try {
                x509 = CertificateFactory.getInstance("X.509");
                ec = KeyFactory.getInstance("EC");
                rsa = KeyFactory.getInstance("RSA");
                sha256 = MessageDigest.getInstance("SHA-256");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK lacks X.509, EC, RSA or SHA-256", e);
            }
        }

        static Factories get() {
            return PER_THREAD.get();
        }

        KeyFactory keys(String algorithm) {
            return algorithm.equals("EC") ? ec : rsa; // the caller allows only these two
        }
    }

    @Override
    public String toString() {
        return "ParsedCertificate[name=" + name + ", keyType=" + keyType + ", snis=" + snis + "]";
    }
}
