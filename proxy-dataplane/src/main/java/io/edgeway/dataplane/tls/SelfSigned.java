package io.edgeway.dataplane.tls;

import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed certificate made in memory: the proxy's own {@code localhost} certificate for
 * {@code ./edgeway up} (EDGEWAY_TLS_SELF_SIGNED), and test certificates. Never a substitute for a real one:
 * clients must be told to skip verification ({@code curl -k}).
 */
public final class SelfSigned {
    /** PEM chain (one certificate) and PKCS#8 PEM key; {@link #toString()} hides the key. */
    public record Pem(String certChainPem, String privateKeyPem) {
        @Override
        public String toString() {
            return "SelfSigned.Pem[cert only]";
        }
    }

    private SelfSigned() {}

    /** {@code keyType} "EC" (P-256) or "RSA" (2048); {@code dnsNames} go into the subjectAltName, the first is the CN. */
    public static Pem create(String keyType, List<String> dnsNames, Duration validity) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(keyType);
            if (keyType.equals("EC")) {
                g.initialize(new ECGenParameterSpec("secp256r1"));
            } else {
                g.initialize(2048);
            }
            KeyPair pair = g.generateKeyPair();
            X500Name subject = new X500Name("CN=" + dnsNames.get(0));
            Instant now = Instant.now();
            var builder = new JcaX509v3CertificateBuilder(subject, new BigInteger(64, new SecureRandom()),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(validity)), subject, pair.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(
                    dnsNames.stream().map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new)));
            var signer = new JcaContentSignerBuilder(keyType.equals("EC") ? "SHA256withECDSA" : "SHA256withRSA")
                    .build(pair.getPrivate());
            var cert = new JcaX509CertificateConverter().getCertificate(builder.build(signer));
            return new Pem(pem(cert), pem(new JcaPKCS8Generator(pair.getPrivate(), null)));
        } catch (GeneralSecurityException | java.io.IOException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("cannot make a self-signed " + keyType + " certificate", e);
        }
    }

    private static String pem(Object o) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e); // a StringWriter does not fail
        }
        return out.toString();
    }
}
