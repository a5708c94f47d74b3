package io.edgeway.dataplane.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.dataplane.config.ConfigError;
import io.edgeway.proto.v1.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Chains whose intermediates many certificates share: the intermediates are parsed once and shared, each
 * certificate keeps its own leaf first, and an intermediate that does not parse still refuses the certificate.
 */
class ChainParseTest {
    private static final SelfSigned.Pem A = SelfSigned.create("EC", List.of("a.test"), Duration.ofDays(1));
    private static final SelfSigned.Pem B = SelfSigned.create("EC", List.of("b.test"), Duration.ofDays(1));
    private static final SelfSigned.Pem SHARED = SelfSigned.create("EC", List.of("intermediate"), Duration.ofDays(1));

    private static ParsedCertificate parse(SelfSigned.Pem leaf, String rest, List<ConfigError> errors) {
        return ParsedCertificate.parse(Certificate.newBuilder().setName("c").setCertChainPem(leaf.certChainPem() + rest)
                .setPrivateKeyPem(leaf.privateKeyPem()).addSnis("a.test").build(), "c", errors);
    }

    @Test
    void sharedIntermediatesFollowEachLeafAndAreParsedOnce() {
        List<ConfigError> errors = new ArrayList<>();
        ParsedCertificate a = parse(A, SHARED.certChainPem(), errors);
        ParsedCertificate b = parse(B, SHARED.certChainPem(), errors);

        assertThat(errors).isEmpty();
        assertThat(a.chain()).hasSize(2);
        assertThat(b.chain()).hasSize(2);
        assertThat(a.chain().get(0).getSubjectX500Principal().getName()).isEqualTo("CN=a.test");
        assertThat(b.chain().get(0).getSubjectX500Principal().getName()).isEqualTo("CN=b.test");
        assertThat(b.chain().get(1)).isSameAs(a.chain().get(1));
    }

    @Test
    void anIntermediateThatDoesNotParseRefusesTheCertificate() {
        String broken = SHARED.certChainPem().replaceFirst("(-----BEGIN CERTIFICATE-----\\s*)....", "$1!!!!");
        List<ConfigError> errors = new ArrayList<>();

        assertThat(parse(A, broken, errors)).isNull();
        assertThat(parse(B, broken, errors)).isNull(); // the second time from the cache
        assertThat(errors).hasSize(2).allSatisfy(e -> assertThat(e.toString()).contains("cert_chain_pem", "does not parse"));
    }

    private static List<ConfigError> leafErrors(String leafPem) {
        List<ConfigError> errors = new ArrayList<>();
        ParsedCertificate.parse(Certificate.newBuilder().setName("c").setCertChainPem(leafPem)
                .setPrivateKeyPem(A.privateKeyPem()).addSnis("a.test").build(), "c", errors);
        return errors;
    }

    private static byte[] der(String pem) {
        return java.util.Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    }

    private static String pem(byte[] der) {
        return "-----BEGIN CERTIFICATE-----\n" + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END CERTIFICATE-----\n";
    }

    /** The leaf is decoded to DER before the factory sees it; that must not accept what the PEM reader refuses. */
    @Test
    void aLeafWithBytesAfterItsDerInsideTheBlockDoesNotParse() {
        byte[] der = der(A.certChainPem());
        byte[] longer = java.util.Arrays.copyOf(der, der.length + 3);
        longer[der.length] = 0x05; // a NULL after the certificate
        assertThat(leafErrors(pem(der))).isEmpty();
        assertThat(leafErrors(pem(longer))).singleElement().asString().contains("cert_chain_pem", "does not parse");
    }

    @Test
    void aLeafWhoseBodyStartsOnTheHeaderLineDoesNotParse() {
        String joined = A.certChainPem().replaceFirst("-----BEGIN CERTIFICATE-----\\s+", "-----BEGIN CERTIFICATE-----");
        assertThat(leafErrors(joined)).singleElement().asString().contains("cert_chain_pem", "does not parse");
    }

    @Test
    void aLeafWithCrlfLinesOrTextBeforeItParsesAsBefore() {
        assertThat(leafErrors(A.certChainPem().replace("\n", "\r\n"))).isEmpty();
        assertThat(leafErrors("subject=CN = a.test\n" + A.certChainPem())).isEmpty();
    }
}
