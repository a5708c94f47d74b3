package io.edgeway.dataplane.control;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.GeneralSecurityException;
import java.security.spec.ECGenParameterSpec;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/** PEM in and out for the control channel's keys and certificates, plus the CA pin both sides compute. */
public final class Pems {
    private static final Base64.Encoder PEM_BASE64 = Base64.getMimeEncoder(64, new byte[] {'\n'});

    private Pems() {}

    public static String pem(Object certificateOrKey) {
        // JDK only (no BouncyCastle): a joining proxy writes its key and certificate on its startup path, and
        // loading BouncyCastle's signed jars costs more CPU than the whole join otherwise does.
        byte[] der;
        String type;
        if (certificateOrKey instanceof PrivateKey k && "PKCS#8".equals(k.getFormat())) {
            der = k.getEncoded(); // keys as PKCS#8 ("PRIVATE KEY"), which every TLS stack reads
            type = "PRIVATE KEY";
        } else if (certificateOrKey instanceof X509Certificate c) {
            try {
                der = c.getEncoded();
            } catch (CertificateEncodingException e) {
                throw new IllegalArgumentException("certificate not encodable: " + e.getMessage(), e);
            }
            type = "CERTIFICATE";
        } else {
            throw new IllegalArgumentException("not a PKCS#8 private key or an X.509 certificate: "
                    + (certificateOrKey == null ? "null" : certificateOrKey.getClass().getName()));
        }
        return "-----BEGIN " + type + "-----\n" + PEM_BASE64.encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    /** Every certificate in {@code pem}, in order. */
    public static List<X509Certificate> certificates(String pem) {
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            List<X509Certificate> out = new ArrayList<>();
            for (var c : cf.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException("no certificate in PEM");
            }
            return out;
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not a PEM certificate: " + e.getMessage(), e);
        }
    }

    /** A PKCS#8 or SEC1 ("EC PRIVATE KEY") private key; never echoes the text on error. */
    public static PrivateKey privateKey(String pem) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object o = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
            if (o instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            throw new IllegalArgumentException("no unencrypted private key in PEM");
        } catch (IOException e) {
            throw new IllegalArgumentException("not a PEM private key", e);
        }
    }

    /** Written with mode 0600 from the start (never readable by others, even for a moment), then moved into place. */
    public static void writePrivate(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp); // not POSIX: the directory's own protection is all there is
        }
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** A fresh EC P-256 key pair: small, fast to sign with, and what every TLS stack supports. */
    public static KeyPair newEcKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM has EC P-256", e);
        }
    }

    /**
     * The pin a join token carries: SHA-256 of the CA's SubjectPublicKeyInfo (as kubeadm's
     * discovery-token-ca-cert-hash), base64url. Survives re-issuing the CA certificate with the same key.
     */
    public static String caPin(X509Certificate ca) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(ca.getPublicKey().getEncoded());
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
