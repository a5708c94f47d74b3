package io.edgeway.controlplane.tls;

import static java.util.Objects.requireNonNull;

import io.edgeway.dataplane.control.Pems;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The control plane's own CA: the only issuer the gRPC port trusts for client certificates, and the issuer
 * of its server certificate. Given as files (EDGEWAY_CA_CERT_FILE + EDGEWAY_CA_KEY_FILE, e.g. shared by
 * replicas from a secret store) or generated into {@code <dataDir>/ca/} on first start (EC P-256).
 */
public final class CertificateAuthority {
    /** Node certificates name their node as this URI (SAN), spiffe-style; the CN repeats it for humans. */
    public static final String NODE_URI_PREFIX = "edgeway://node/";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration CA_LIFETIME = Duration.ofDays(3650);
    private static final Duration SERVER_LIFETIME = Duration.ofDays(365);
    // Certificates start a little in the past so a node whose clock runs behind still accepts them.
    private static final Duration BACKDATE = Duration.ofMinutes(5);

    private final X509Certificate certificate;
    private final PrivateKey key;

    CertificateAuthority(X509Certificate certificate, PrivateKey key) {
        this.certificate = requireNonNull(certificate, "certificate");
        this.key = requireNonNull(key, "key");
    }

    public static CertificateAuthority load(Map<String, String> env, Path dataDir) throws IOException {
        String certFile = blankToNull(env.get("EDGEWAY_CA_CERT_FILE"));
        String keyFile = blankToNull(env.get("EDGEWAY_CA_KEY_FILE"));
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException("EDGEWAY_CA_CERT_FILE and EDGEWAY_CA_KEY_FILE: set both or neither");
        }
        if (certFile != null) {
            return read(Path.of(certFile), Path.of(keyFile));
        }
        Path dir = dataDir.resolve("ca");
        Path cert = dir.resolve("ca.pem");
        Path key = dir.resolve("ca-key.pem");
        if (Files.exists(cert) && Files.exists(key)) {
            return read(cert, key);
        }
        CertificateAuthority ca = generate("Edgeway control plane CA");
        Files.createDirectories(dir);
        Pems.writePrivate(key, Pems.pem(ca.key));
        Pems.writePrivate(cert, Pems.pem(ca.certificate));
        return ca;
    }

    private static CertificateAuthority read(Path cert, Path key) throws IOException {
        try {
            X509Certificate c = Pems.certificates(Files.readString(cert, StandardCharsets.US_ASCII)).get(0);
            PrivateKey k = Pems.privateKey(Files.readString(key, StandardCharsets.US_ASCII));
            if (c.getBasicConstraints() < 0) {
                throw new IllegalArgumentException(cert + ": not a CA certificate (expected: basicConstraints CA:true)");
            }
            return new CertificateAuthority(c, k);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("CA " + cert + " / " + key + ": " + e.getMessage(), e);
        }
    }

    /** A new self-signed CA; tests make "another CA" with it too. */
    public static CertificateAuthority generate(String commonName) {
        KeyPair pair = Pems.newEcKey();
        Instant now = Instant.now();
        X500Name name = new X500Name("CN=" + commonName);
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minus(BACKDATE)),
                    Date.from(now.plus(CA_LIFETIME)), name, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            return new CertificateAuthority(sign(b, pair.getPrivate()), pair.getPrivate());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("could not make a CA", e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    @Override
    public String toString() {
        return "CertificateAuthority[" + certificate.getSubjectX500Principal() + ", key=***]";
    }

    public String pin() {
        return Pems.caPin(certificate);
    }

    /** The gRPC port's certificate: DNS and IP names as given (localhost and 127.0.0.1 always). Made at each start. */
    public ServerIdentity issueServer(List<String> names) {
        KeyPair pair = Pems.newEcKey();
        List<GeneralName> sans = new ArrayList<>();
        for (String n : names) {
            sans.add(isIpLiteral(n) ? new GeneralName(GeneralName.iPAddress, n) : new GeneralName(GeneralName.dNSName, n));
        }
        Instant now = Instant.now();
        try {
            X509v3CertificateBuilder b = builder("CN=edgeway-control-plane", pair.getPublic(), now, now.plus(SERVER_LIFETIME))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            return new ServerIdentity(pair.getPrivate(), sign(b, key), certificate);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("could not issue the gRPC server certificate", e);
        }
    }

    public record ServerIdentity(PrivateKey key, X509Certificate certificate, X509Certificate ca) {
        @Override
        public String toString() {
            return "ServerIdentity[key=***, certificate=" + certificate.getSubjectX500Principal() + "]"; // never the key
        }
    }

    /** A client certificate for {@code nodeId} over {@code publicKey} (from a CSR whose signature was checked). */
    public X509Certificate issueNode(String nodeId, PublicKey publicKey, Duration lifetime) {
        Instant now = Instant.now();
        try {
            X509v3CertificateBuilder b = builder("CN=" + nodeId, publicKey, now, now.plus(lifetime))
                    .addExtension(Extension.subjectAlternativeName, true,
                            new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, NODE_URI_PREFIX + nodeId)))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            return sign(b, key);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("could not issue a node certificate", e);
        }
    }

    private X509v3CertificateBuilder builder(String subject, PublicKey publicKey, Instant now, Instant notAfter)
            throws IOException, GeneralSecurityException {
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        return new JcaX509v3CertificateBuilder(certificate, serial(), Date.from(now.minus(BACKDATE)), Date.from(notAfter),
                new X500Name(subject), publicKey)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) throws GeneralSecurityException {
        try {
            String alg = signer.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg).build(signer)));
        } catch (OperatorCreationException | java.security.cert.CertificateException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /** 127 random bits: unique without coordination between replicas, and positive as X.509 wants. */
    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).setBit(126);
    }

    private static boolean isIpLiteral(String name) {
        if (!name.matches("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*")) {
            return false;
        }
        try {
            InetAddress.getByName(name); // a literal: no lookup happens
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
