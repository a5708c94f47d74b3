package io.edgeway.controlplane.acme;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.controlplane.model.AcmeSpec;
import io.edgeway.controlplane.model.Certificate;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
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
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/** When a managed certificate needs a new order: two thirds into its lifetime, or earlier when its names changed. */
class RenewalTest {
    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    private static final AcmeSpec LE = new AcmeSpec("letsencrypt", null, null, null);

    @Test
    void aCertificateIsRenewedOnceTwoThirdsOfItsLifetimeHavePassed() throws Exception {
        // 90 days from May 1: two thirds is 60 days, June 30
        Certificate c = issued(List.of("shop.example.com"), Instant.parse("2026-05-01T00:00:00Z"), Duration.ofDays(90));
        assertThat(Renewal.due(c, false, null, NOW)).isNull();
        assertThat(Renewal.due(c, false, null, Instant.parse("2026-06-29T23:59:00Z"))).isNull();
        assertThat(Renewal.due(c, false, null, Instant.parse("2026-06-30T00:00:01Z"))).contains("two thirds");
        // the CA's renewal information, when offered, decides instead
        assertThat(Renewal.due(c, false, Instant.parse("2026-05-20T00:00:00Z"), NOW)).isNotNull();
        assertThat(Renewal.due(c, true, null, NOW)).contains("requested");
    }

    @Test
    void changedNamesOrNoChainAreDueNow() throws Exception {
        Certificate c = issued(List.of("shop.example.com"), NOW.minus(Duration.ofDays(1)), Duration.ofDays(90));
        Certificate more = Certificate.managed("shop", List.of(), List.of("shop.example.com", "www.shop.example.com"), LE);
        Certificate renamed = new Certificate(more.name(), more.tags(), c.cert(), more.snis(), c.expiresAt(),
                c.fingerprintSha256(), LE);
        assertThat(Renewal.due(renamed, false, null, NOW)).isEqualTo("snis changed");
        assertThat(Renewal.due(more, false, null, NOW)).isEqualTo("not issued yet");
    }

    private static Certificate issued(List<String> names, Instant notBefore, Duration lifetime) throws Exception {
        KeyPair key = AcmeKeys.newKeyPair();
        var b = new JcaX509v3CertificateBuilder(new X500Name("CN=test"), BigInteger.ONE, Date.from(notBefore),
                Date.from(notBefore.plus(lifetime)), new X500Name("CN=" + names.get(0)), key.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.stream()
                .map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new)));
        var x509 = new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(pem)) {
            w.writeObject(x509);
        }
        var chain = io.edgeway.controlplane.model.Pem.certificate(pem.toString());
        return new Certificate("shop", List.of(), pem.toString(), names, chain.expiresAt(), chain.fingerprintSha256(), LE);
    }
}
