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
}
