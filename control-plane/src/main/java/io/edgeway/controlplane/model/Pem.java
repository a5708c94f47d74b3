package io.edgeway.controlplane.model;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM certificate chains and PKCS#8 private keys with the JDK, and checks that a key belongs to
 * a chain's leaf. Errors name the request field ({@code cert} or {@code key}) and never echo key material.
 */
public final class Pem {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");

    private Pem() {}

    /** A parsed chain: the leaf first, and what the API shows of it. */
    public record Chain(List<X509Certificate> certificates, java.time.Instant expiresAt, String fingerprintSha256) {
        public X509Certificate leaf() {
            return certificates.get(0);
        }
    }

    /**
     * The key type of the leaf in {@code pem} ("EC" or "RSA"), or null when it does not parse: an ECDSA and
     * an RSA certificate may serve the same SNI (the proxy gives each client the one it supports).
     */
    public static String keyType(String pem) {
        try {
            return certificate(pem).leaf().getPublicKey().getAlgorithm();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The chain in {@code pem}, leaf first; 422 naming {@code cert} unless it holds at least one X.509 certificate and nothing else. */
    public static Chain certificate(String pem) {
        if (pem == null || pem.isBlank()) {
            throw new ValidationException("cert", "cert: missing (expected: a PEM certificate chain, leaf first)");
        }
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Block b : blocks(pem, "cert")) {
                if (!b.type().equals("CERTIFICATE")) {
                    throw new ValidationException("cert", "cert: a " + b.type() + " block (expected: only CERTIFICATE blocks)");
                }
                chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(b.der())));
            }
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(chain.get(0).getEncoded());
            return new Chain(List.copyOf(chain), chain.get(0).getNotAfter().toInstant(), HexFormat.of().formatHex(digest));
        } catch (CertificateException e) {
            throw new ValidationException("cert", "cert: not an X.509 certificate (" + e.getMessage() + ")");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 or X.509 missing from the JDK", e);
        }
    }

    /**
     * The private key in {@code pem} (PKCS#8, RSA or EC) as PKCS#8 DER, after checking it signs what the
     * leaf's public key verifies; 422 naming {@code key} otherwise.
     */
    public static byte[] privateKey(String pem, X509Certificate leaf) {
        if (pem == null || pem.isBlank()) {
            throw new ValidationException("key", "key: missing (expected: a PEM private key, -----BEGIN PRIVATE KEY-----)");
        }
        List<Block> blocks = blocks(pem, "key");
        if (blocks.size() != 1) {
            throw new ValidationException("key", "key: " + blocks.size() + " PEM blocks (expected: one private key)");
        }
        Block b = blocks.get(0);
        if (b.type().equals("RSA PRIVATE KEY") || b.type().equals("EC PRIVATE KEY")) {
            throw new ValidationException("key", "key: a " + b.type() + " block (expected: PKCS#8, -----BEGIN PRIVATE KEY-----;"
                    + " convert with `openssl pkcs8 -topk8 -nocrypt -in key.pem`)");
        }
        if (!b.type().equals("PRIVATE KEY")) {
            throw new ValidationException("key", "key: a " + b.type() + " block (expected: an unencrypted PKCS#8 PRIVATE KEY)");
        }
        String algorithm = leaf.getPublicKey().getAlgorithm();
        if (!algorithm.equals("RSA") && !algorithm.equals("EC")) {
            throw new ValidationException("cert", "cert: a " + algorithm + " public key (expected: RSA or EC)");
        }
        PrivateKey key;
        try {
            key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(b.der()));
        } catch (GeneralSecurityException e) {
            throw new ValidationException("key", "key: not a PKCS#8 " + algorithm + " private key (the certificate's key is " + algorithm + ")");
        }
        if (!matches(key, leaf)) {
            throw new ValidationException("key", "key: does not match the certificate (expected: the private key of the leaf, the first certificate)");
        }
        return key.getEncoded();
    }

    private static boolean matches(PrivateKey key, X509Certificate leaf) {
        if (key instanceof java.security.interfaces.ECPrivateKey ec) {
            return EcKeyMatch.matches(ec, leaf); // d·G against the leaf's point: no signature needed
        }
        String algorithm = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private record Block(String type, byte[] der) {}

    private static List<Block> blocks(String pem, String field) {
        Matcher m = BLOCK.matcher(pem);
        List<Block> out = new ArrayList<>();
        int end = 0;
        while (m.find()) {
            if (!pem.substring(end, m.start()).isBlank()) {
                throw new ValidationException(field, field + ": text outside PEM blocks (expected: only -----BEGIN/END----- blocks)");
            }
            end = m.end();
            try {
                out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2).getBytes(StandardCharsets.US_ASCII))));
            } catch (IllegalArgumentException e) {
                throw new ValidationException(field, field + ": a " + m.group(1) + " block that is not valid base64");
            }
        }
        if (out.isEmpty() || !pem.substring(end).isBlank()) {
            throw new ValidationException(field, field + ": not PEM (expected: -----BEGIN ...----- blocks)");
        }
        return out;
    }
}
