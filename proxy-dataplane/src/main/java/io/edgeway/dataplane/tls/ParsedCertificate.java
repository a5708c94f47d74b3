package io.edgeway.dataplane.tls;

import static java.util.Objects.requireNonNull;

import io.edgeway.dataplane.config.ConfigError;
import io.edgeway.proto.v1.Certificate;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.EllipticCurve;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One pushed certificate, parsed and checked: the chain parses, the key is PKCS#8 and matches the leaf's
 * public key (a test signature verifies). {@link #toString()} names it and never shows the key; errors
 * say what is wrong without quoting any of the PEM.
 */
record ParsedCertificate(String name, List<X509Certificate> chain, PrivateKey key, List<String> snis,
                         String keyType, String fingerprint) {
    private static final Pattern KEY_BLOCK = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final Pattern SNI = Pattern.compile(
            "(\\*\\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    private static final Map<EllipticCurve, ECPoint> BC_GENERATORS = new ConcurrentHashMap<>();
    private static final String END_CERTIFICATE = "-----END CERTIFICATE-----";
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

    private static List<X509Certificate> parse(String pem) throws GeneralSecurityException {
        return CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))).stream()
                .map(X509Certificate.class::cast).toList();
    }

    private static List<X509Certificate> concat(X509Certificate leaf, List<X509Certificate> rest) {
        List<X509Certificate> all = new java.util.ArrayList<>(rest.size() + 1);
        all.add(leaf);
        all.addAll(rest);
        return all;
    }

    /** The certificate's SNI names in lower case, each checked (also for a certificate whose chain and key are known good). */
    static List<String> snis(Certificate c, String name, List<ConfigError> errors) {
        List<String> snis = c.getSnisList().stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
        for (int i = 0; i < snis.size(); i++) {
            if (!SNI.matcher(snis.get(i)).matches()) {
                errors.add(new ConfigError("certificate", name, "snis[" + i + "]",
                        "'" + c.getSnis(i) + "' (expected: a host name or *.suffix)"));
            }
        }
        return snis;
    }

    private static List<X509Certificate> chain(String pem, String name, List<ConfigError> errors) {
        try {
            // The intermediates after the leaf are shared by many certificates (one CA issues them all):
            // parsed once per distinct text. The leaf is always parsed.
            int leafEnd = pem.indexOf(END_CERTIFICATE);
            String rest = leafEnd < 0 ? "" : pem.substring(leafEnd + END_CERTIFICATE.length());
            List<X509Certificate> chain = parse(rest.isBlank() ? pem : pem.substring(0, leafEnd + END_CERTIFICATE.length()));
            if (chain.size() == 1 && !rest.isBlank()) {
                List<X509Certificate> intermediates = INTERMEDIATES.get(rest);
                if (intermediates == null) {
                    intermediates = parse(rest);
                    if (INTERMEDIATES.size() >= MAX_INTERMEDIATES) {
                        INTERMEDIATES.clear(); // a bound, not an eviction policy: sets of intermediates are few
                    }
                    INTERMEDIATES.put(rest, intermediates);
                }
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
        Matcher m = KEY_BLOCK.matcher(pem);
        String algorithm = leaf.getPublicKey().getAlgorithm();
        PrivateKey key = null;
        if (m.find() && (algorithm.equals("EC") || algorithm.equals("RSA"))) {
            try {
                byte[] der = Base64.getMimeDecoder().decode(m.group(1));
                key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                key = null;
            }
        }
        if (key == null) {
            errors.add(new ConfigError("certificate", name, "private_key_pem",
                    "does not parse (expected: a PKCS#8 PEM " + algorithm + " private key)"));
            return null;
        }
        if (!matches(key, leaf)) {
            errors.add(new ConfigError("certificate", name, "private_key_pem",
                    "does not match the certificate's public key"));
            return null;
        }
        return key;
    }

    /**
     * The key is the private half of the leaf's public key. For EC and RSA-CRT keys the public half is
     * derived from the private one and compared (an EC scalar multiplication with BouncyCastle's fixed-point
     * multiplier is ~20x cheaper than the JDK signing and verifying, which made 10,000 new certificates take
     * seconds); other keys get a test signature verified with the leaf's public key, as a TLS client would.
     */
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

    private static boolean ecMatches(ECPrivateKey key, ECPublicKey pub) {
        if (!key.getParams().getCurve().equals(pub.getParams().getCurve())
                || !key.getParams().getGenerator().equals(pub.getParams().getGenerator())) {
            return false;
        }
        BigInteger d = key.getS();
        if (d.signum() <= 0 || d.compareTo(key.getParams().getOrder()) >= 0) {
            return false;
        }
        // one converted curve per JDK curve: the multiplier's precomputed table lives on its generator point
        ECPoint g = BC_GENERATORS.computeIfAbsent(key.getParams().getCurve(), c -> EC5Util.convertSpec(key.getParams()).getG());
        ECPoint q = new FixedPointCombMultiplier().multiply(g, d).normalize();
        return q.getAffineXCoord().toBigInteger().equals(pub.getW().getAffineX())
                && q.getAffineYCoord().toBigInteger().equals(pub.getW().getAffineY());
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

    /** Identifies the chain and key without keeping the key's text: unchanged ones keep their compiled context. */
    static String fingerprint(String chain, String key) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(chain.getBytes(StandardCharsets.UTF_8));
            d.update((byte) 0);
            d.update(key.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(d.digest());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    @Override
    public String toString() {
        return "ParsedCertificate[name=" + name + ", keyType=" + keyType + ", snis=" + snis + "]";
    }
}
