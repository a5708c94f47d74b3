package io.edgeway.dataplane.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgeway.dataplane.config.InvalidConfigException;
import io.edgeway.dataplane.config.RuntimeConfig;
import io.edgeway.proto.v1.Certificate;
import io.edgeway.proto.v1.Snapshot;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Snapshot after snapshot with many certificates: an unchanged chain and key keep their checked, compiled
 * context; contexts compile on the first handshake that names them, not when the snapshot applies; and
 * neither shortcut lets a certificate whose key does not match through (it is still a Nack at apply time).
 */
class CertificateReuseTest {
    private static final EventExecutor LOOP = new DefaultEventExecutor(); // stands in for the handshake's event loop
    private static final SelfSigned.Pem A = SelfSigned.create("EC", List.of("a.test"), Duration.ofDays(1));
    private static final SelfSigned.Pem B = SelfSigned.create("EC", List.of("b.test"), Duration.ofDays(1));

    @AfterAll
    static void stopLoop() {
        LOOP.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private static Certificate cert(String name, SelfSigned.Pem chain, String keyPem, String sni) {
        return Certificate.newBuilder().setName(name).setCertChainPem(chain.certChainPem()).setPrivateKeyPem(keyPem)
                .addSnis(sni).build();
    }

    private static RuntimeConfig apply(RuntimeConfig running, long version, Certificate... certs) throws InvalidConfigException {
        return RuntimeConfig.from(Snapshot.newBuilder().setVersion(version).addAllCertificates(List.of(certs)).build(), running);
    }

    /** What a handshake naming {@code sni} is served with (compiling it if needed). */
    private static SslContext served(RuntimeConfig config, String sni) throws Exception {
        TlsCertificates tls = config.tls();
        return tls.forSni(sni, true).context(tls.ticketKeys(), LOOP).get(30, TimeUnit.SECONDS);
    }

    @Test
    void anUnchangedCertificateKeepsItsCompiledContextAcrossSnapshots() throws Exception {
        RuntimeConfig v1 = apply(RuntimeConfig.NONE, 1, cert("a", A, A.privateKeyPem(), "a.test"));
        SslContext first = served(v1, "a.test");

        // a new snapshot that adds a certificate and renames nothing else: "a" is the same chain and key
        RuntimeConfig v2 = apply(v1, 2, cert("a", A, A.privateKeyPem(), "a.test"), cert("b", B, B.privateKeyPem(), "b.test"));
        assertThat(v2.tls().forSni("a.test", true)).isSameAs(v1.tls().forSni("a.test", true));
        assertThat(served(v2, "a.test")).isSameAs(first);

        // the same name with another certificate gets a context of its own
        RuntimeConfig v3 = apply(v2, 3, cert("a", B, B.privateKeyPem(), "a.test"));
        assertThat(served(v3, "a.test")).isNotSameAs(first);
    }

    @Test
    void contextsCompileOnTheFirstHandshakeNamingThemNotWhenTheSnapshotApplies() throws Exception {
        RuntimeConfig v1 = apply(RuntimeConfig.NONE, 1, cert("a", A, A.privateKeyPem(), "a.test"),
                cert("b", B, B.privateKeyPem(), "b.test"));
        assertThat(v1.tls().forSni("a.test", true).isCompiled()).isFalse();
        assertThat(v1.tls().forSni("b.test", true).isCompiled()).isFalse();

        assertThat(served(v1, "a.test")).isNotNull();
        assertThat(v1.tls().forSni("a.test", true).isCompiled()).isTrue();
        assertThat(v1.tls().forSni("b.test", true).isCompiled()).isFalse();
    }

    @Test
    void aKeyThatDoesNotMatchIsStillANackAtApplyTimeThoughTheChainIsKnown() throws Exception {
        RuntimeConfig v1 = apply(RuntimeConfig.NONE, 1, cert("a", A, A.privateKeyPem(), "a.test"));

        // A's chain, which v1 holds as checked, now pushed with B's key; never compiled, so only the check can refuse it
        assertThatThrownBy(() -> apply(v1, 2, cert("a", A, B.privateKeyPem(), "a.test")))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("a").hasMessageContaining("does not match the certificate's public key");
        // also on a first apply, where nothing is compiled at all
        assertThatThrownBy(() -> apply(RuntimeConfig.NONE, 1, cert("x", A, B.privateKeyPem(), "a.test")))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("does not match");
    }

    @Test
    void aKnownCertificateUnderABadNameIsStillRefused() throws Exception {
        RuntimeConfig v1 = apply(RuntimeConfig.NONE, 1, cert("a", A, A.privateKeyPem(), "a.test"));

        assertThatThrownBy(() -> apply(v1, 2, cert("a", A, A.privateKeyPem(), "bad name!")))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("snis[0]");
        assertThatThrownBy(() -> apply(v1, 2, cert("a", A, A.privateKeyPem(), "a.test"), cert("a2", A, A.privateKeyPem(), "a.test")))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("already served by a");
    }

    private static final List<SelfSigned.Pem> MANY = IntStream.range(0, 300)
            .mapToObj(i -> SelfSigned.create("EC", List.of("m" + i + ".test"), Duration.ofDays(1))).toList();

    private static Certificate[] many(int changed, SelfSigned.Pem replacement) {
        return IntStream.range(0, MANY.size()).mapToObj(i -> {
            SelfSigned.Pem p = i == changed ? replacement : MANY.get(i);
            return cert("m" + i, p, p.privateKeyPem(), "m" + i + ".test");
        }).toArray(Certificate[]::new);
    }

    @Test
    void aSnapshotChangingOneCertificateOfManyChecksOnlyThatOneAndServesItAtOnce() throws Exception {
        RuntimeConfig v1 = apply(RuntimeConfig.NONE, 1, many(-1, null));
        assertThat(v1.tls().newlyChecked()).isEqualTo(300);
        SslContext before = served(v1, "m7.test");

        SelfSigned.Pem renewed = SelfSigned.create("EC", List.of("m7.test"), Duration.ofDays(2));
        RuntimeConfig v2 = apply(v1, 2, many(7, renewed));

        assertThat(v2.tls().newlyChecked()).isEqualTo(1);
        assertThat(v2.tls().forSni("m7.test", true).fingerprint())
                .isEqualTo(ParsedCertificate.fingerprint(renewed.certChainPem(), renewed.privateKeyPem()))
                .isNotEqualTo(v1.tls().forSni("m7.test", true).fingerprint());
        assertThat(served(v2, "m7.test")).isNotSameAs(before); // the next handshake compiles the renewed one
        assertThat(v2.tls().forSni("m8.test", true)).isSameAs(v1.tls().forSni("m8.test", true));
    }

    @Test
    void aCertificateThatLeftTheSnapshotIsNotKeptForALaterOne() throws Exception {
        RuntimeConfig v1 = apply(RuntimeConfig.NONE, 1, cert("a", A, A.privateKeyPem(), "a.test"),
                cert("b", B, B.privateKeyPem(), "b.test"));
        RuntimeConfig v2 = apply(v1, 2, cert("a", A, A.privateKeyPem(), "a.test"));
        assertThat(v2.tls().forSni("b.test", true)).isNull();
        assertThat(v2.tls().newlyChecked()).isZero();

        // b comes back: v2 no longer holds it (nor its context), so it is checked again, as any new certificate
        RuntimeConfig v3 = apply(v2, 3, cert("a", A, A.privateKeyPem(), "a.test"), cert("b", B, B.privateKeyPem(), "b.test"));
        assertThat(v3.tls().newlyChecked()).isEqualTo(1);
        assertThat(v3.tls().forSni("b.test", true)).isNotSameAs(v1.tls().forSni("b.test", true));
    }
}
