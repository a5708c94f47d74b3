package io.edgeway.dataplane.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.dataplane.config.ConfigError;
import io.edgeway.proto.v1.Certificate;
import io.edgeway.proto.v1.Snapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Enough new certificates that their checks are split into slices (one per core, each with its own EC key
 * batch) and merged again: every bad certificate is still named, with its own name, wherever it sits, and
 * every good one is served under its own names.
 */
class ManyNewCertificatesTest {
    private static final int COUNT = 700; // more than two slices' minimum
    private static final List<SelfSigned.Pem> PEMS = IntStream.range(0, COUNT)
            .mapToObj(i -> SelfSigned.create("EC", List.of("c" + i + ".test"), Duration.ofDays(1))).toList();

    private static Certificate.Builder cert(int i) {
        return Certificate.newBuilder().setName("c" + i).setCertChainPem(PEMS.get(i).certChainPem())
                .setPrivateKeyPem(PEMS.get(i).privateKeyPem()).addSnis("c" + i + ".test");
    }

    @Test
    void eachBadCertificateIsNamedWhereverItSits() {
        Snapshot.Builder s = Snapshot.newBuilder().setVersion(1);
        for (int i = 0; i < COUNT; i++) {
            Certificate.Builder c = cert(i);
            if (i == 5 || i == COUNT - 3) {
                c.setPrivateKeyPem(PEMS.get(i + 1).privateKeyPem()); // another certificate's key
            }
            if (i == COUNT / 2 + 1) {
                c.setCertChainPem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
            }
            s.addCertificates(c);
        }
        List<ConfigError> errors = new ArrayList<>();

        TlsCertificates.prepare(s.build(), TlsCertificates.NONE, errors);

        assertThat(errors).extracting(ConfigError::name, ConfigError::field).containsExactly(
                org.assertj.core.groups.Tuple.tuple("c5", "private_key_pem"),
                org.assertj.core.groups.Tuple.tuple("c" + (COUNT / 2 + 1), "cert_chain_pem"),
                org.assertj.core.groups.Tuple.tuple("c" + (COUNT - 3), "private_key_pem"));
    }

    @Test
    void everyGoodCertificateServesItsOwnName() {
        Snapshot.Builder s = Snapshot.newBuilder().setVersion(1);
        IntStream.range(0, COUNT).forEach(i -> s.addCertificates(cert(i)));
        List<ConfigError> errors = new ArrayList<>();

        TlsCertificates certs = TlsCertificates.prepare(s.build(), TlsCertificates.NONE, errors).build();

        assertThat(errors).isEmpty();
        for (int i = 0; i < COUNT; i++) {
            assertThat(certs.forSni("c" + i + ".test", true)).as("c%d", i).isSameAs(certs.named("c" + i));
        }
    }
}
