package io.edgeway.controlplane.acme;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The self-signed TLS-ALPN-01 certificate of RFC 8737 3: one dNSName, and the critical acmeIdentifier extension
 * holding the SHA-256 digest of the key authorization. Built with the JDK's providers (acme4j's helper asks
 * for BouncyCastle's JCA provider by name).
 */
final class AlpnCertificate {
    /** id-pe-acmeIdentifier (RFC 8737 6.1). */
    private static final ASN1ObjectIdentifier ACME_IDENTIFIER = new ASN1ObjectIdentifier("1.3.6.1.5.5.7.1.31");
    private static final SecureRandom RANDOM = new SecureRandom();

    private AlpnCertificate() {}

    static X509Certificate create(KeyPair key, String domain, byte[] acmeValidation) {
        try {
            Instant now = Instant.now();
            X500Name name = new X500Name("CN=acme-tls-alpn-01");
            var b = new JcaX509v3CertificateBuilder(name, new BigInteger(64, RANDOM), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(7))), name, key.getPublic());
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, domain)));
            b.addExtension(ACME_IDENTIFIER, true, new DEROctetString(acmeValidation));
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException("tls-alpn-01 certificate for " + domain + ": " + e, e);
        }
    }
}
