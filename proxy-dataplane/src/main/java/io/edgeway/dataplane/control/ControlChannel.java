package io.edgeway.dataplane.control;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.edgeway.proto.v1.JoinRequest;
import io.edgeway.proto.v1.NodeCredentials;
import io.edgeway.proto.v1.NodeEnrollmentGrpc;
import io.edgeway.proto.v1.RenewRequest;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's side of the control channel's security: mTLS with a client certificate from the control plane's
 * CA, obtained by a join (EDGEWAY_JOIN_TOKEN) and renewed over the live channel when a third of its life is
 * left, so the config stream is never dropped for it. Or, only when asked by name, insecure plaintext.
 */
public final class ControlChannel implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlChannel.class);
    private static final Duration CALL_DEADLINE = Duration.ofSeconds(10);

    private final boolean insecure;
    private final NodeCredentialFiles files;
    private final String nodeId;
    private final JoinToken joinToken; // null: the proxy must already hold credentials
    private final SwappableKeyManager keys = new SwappableKeyManager();
    private final SwappableTrustManager trust = new SwappableTrustManager();
    private final ScheduledExecutorService renewals;
    private volatile X509Certificate certificate;
    private volatile Instant receivedAt;
    private boolean renewalsStarted; // the config client's thread only

    private ControlChannel(boolean insecure, Path dataDir, String nodeId, JoinToken joinToken) {
        this.insecure = insecure;
        this.files = dataDir == null ? null : new NodeCredentialFiles(dataDir);
        this.nodeId = nodeId;
        this.joinToken = joinToken;
        this.renewals = insecure ? null : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "edgeway-cert-renewal");
            t.setDaemon(true);
            return t;
        });
    }

    /** No TLS at all: only for a control plane on loopback that was started insecure on purpose (tests, demos). */
    public static ControlChannel insecurePlaintext() {
        return new ControlChannel(true, null, null, null);
    }

    /** mTLS with credentials kept in {@code dataDir}; {@code joinToken} (may be null) gets them when there are none. */
    public static ControlChannel secure(Path dataDir, String nodeId, String joinToken) {
        ControlChannel c = new ControlChannel(false, requireNonNull(dataDir, "dataDir"), requireNonNull(nodeId, "nodeId"),
                joinToken == null || joinToken.isBlank() ? null : JoinToken.parse(joinToken));
        c.loadStored();
        return c;
    }

    public boolean insecure() {
        return insecure;
    }

    public ChannelCredentials credentials() {
        if (insecure) {
            return InsecureChannelCredentials.create();
        }
        return TlsChannelCredentials.newBuilder().keyManager(keys).trustManager(trust).build();
    }

    /** Whether the proxy holds a certificate it can connect with (always, for insecure plaintext). */
    public boolean joined() {
        X509Certificate c = certificate;
        return insecure || (c != null && c.getNotAfter().toInstant().isAfter(Instant.now()));
    }

    /** When the current certificate expires; null for insecure plaintext or before a join. */
    public Instant certificateExpiresAt() {
        X509Certificate c = certificate;
        return c == null ? null : c.getNotAfter().toInstant();
    }

    private void loadStored() {
        try {
            files.load().ifPresent(s -> {
                if (!nodeId.equals(nodeIdOf(s.certificate()))) {
                    log.warn("stored node certificate names another node id; joining again as {}", nodeId);
                } else if (!matches(s.certificate().getPublicKey(), s.key())) {
                    log.warn("stored node key and certificate do not match; joining again");
                } else {
                    use(s.key(), s.certificate(), s.ca(), s.receivedAt());
                }
            });
        } catch (IOException | IllegalArgumentException e) {
            log.warn("could not read the stored node credentials ({}); joining again", e.getMessage());
        }
    }

    /**
     * Exchanges the join token for a certificate, on a connection of its own whose server must present the CA
     * the token pins. Blocking; the caller retries on failure with its backoff.
     */
    public void join(String host, int port) {
        if (joined()) {
            return;
        }
        if (joinToken == null) {
            throw new IllegalStateException("no valid node certificate in the data directory and no EDGEWAY_JOIN_TOKEN to get one");
        }
        ChannelCredentials pinned = TlsChannelCredentials.newBuilder().trustManager(new PinnedCaTrustManager(joinToken.caPin())).build();
        ManagedChannel channel = Grpc.newChannelBuilderForAddress(host, port, pinned).build();
        try {
            KeyPair pair = Pems.newEcKey();
            NodeCredentials issued = NodeEnrollmentGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                    .join(JoinRequest.newBuilder().setToken(joinToken.text()).setNodeId(nodeId)
                            .setCsrDer(ByteString.copyFrom(csr(pair))).build());
            X509Certificate ca = Pems.certificates(issued.getCaPem()).get(0);
            if (!Pems.caPin(ca).equals(joinToken.caPin())) {
                throw new IllegalStateException("the control plane answered with a CA other than the one the join token pins");
            }
            accept(pair, issued, ca);
            log.info("joined the fleet as node {}; certificate valid until {}", nodeId, certificateExpiresAt());
        } finally {
            channel.shutdownNow();
        }
    }

    /**
     * Before each stream attempt: joins when the proxy holds no valid certificate, and starts renewals once.
     * False (having logged why) when the proxy cannot connect yet; the caller retries with its backoff.
     */
    public boolean prepare(String host, int port, Channel channel) {
        if (!joined()) {
            try {
                join(host, port);
            } catch (RuntimeException e) {
                log.warn("could not join the fleet: {}", e.getMessage() == null ? e.toString() : e.getMessage());
                return false;
            }
        }
        if (!renewalsStarted) {
            renewalsStarted = true;
            startRenewals(channel);
        }
        return true;
    }

    /** Keeps the certificate fresh over {@code channel} (the config stream's own, so no new connection is needed). */
    public void startRenewals(Channel channel) {
        if (!insecure) {
            scheduleRenewal(channel, renewDelay());
        }
    }

    private void scheduleRenewal(Channel channel, Duration delay) {
        try {
            renewals.schedule(() -> renew(channel), Math.max(delay.toMillis(), 1000), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    private void renew(Channel channel) {
        try {
            KeyPair pair = Pems.newEcKey();
            NodeCredentials issued = NodeEnrollmentGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                    .renew(RenewRequest.newBuilder().setCsrDer(ByteString.copyFrom(csr(pair))).build());
            X509Certificate ca = Pems.certificates(issued.getCaPem()).get(0);
            accept(pair, issued, ca);
            log.info("renewed the node certificate; valid until {}", certificateExpiresAt());
            scheduleRenewal(channel, renewDelay());
        } catch (RuntimeException e) {
            Instant expires = certificateExpiresAt();
            long left = expires == null ? 0 : Duration.between(Instant.now(), expires).toMillis();
            log.warn("could not renew the node certificate ({} ms left): {}", left, e.toString());
            scheduleRenewal(channel, Duration.ofMillis(Math.min(30_000, Math.max(1000, left / 10))));
        }
    }

    /** Renew when a third of the certificate's life is left (its life as this proxy saw it arrive). */
    private Duration renewDelay() {
        X509Certificate c = certificate;
        if (c == null) {
            return Duration.ofSeconds(1);
        }
        Duration life = Duration.between(receivedAt, c.getNotAfter().toInstant());
        return Duration.between(Instant.now(), receivedAt.plus(life.multipliedBy(2).dividedBy(3)));
    }

    private void accept(KeyPair pair, NodeCredentials issued, X509Certificate ca) {
        X509Certificate cert = Pems.certificates(issued.getCertificatePem()).get(0);
        if (!cert.getPublicKey().equals(pair.getPublic()) || !nodeId.equals(nodeIdOf(cert))) {
            throw new IllegalStateException("the control plane returned a certificate for another key or node");
        }
        try {
            files.store(pair.getPrivate(), cert, ca);
        } catch (IOException e) {
            throw new UncheckedIOException("could not store the node credentials in " + files.dir(), e);
        }
        use(pair.getPrivate(), cert, ca, Instant.now());
    }

    private void use(java.security.PrivateKey key, X509Certificate cert, X509Certificate ca, Instant received) {
        trust.trust(ca);
        keys.set(key, cert);
        receivedAt = received;
        certificate = cert;
    }

    private byte[] csr(KeyPair pair) {
        return CertificationRequest.der("CN=" + nodeId, pair);
    }

    private static boolean matches(PublicKey pub, java.security.PrivateKey key) {
        try {
            var sig = java.security.Signature.getInstance("SHA256withECDSA");
            sig.initSign(key);
            byte[] probe = {1, 2, 3};
            sig.update(probe);
            byte[] s = sig.sign();
            sig.initVerify(pub);
            sig.update(probe);
            return sig.verify(s);
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    /** The node id in a certificate's SAN URI edgeway://node/&lt;id&gt;. */
    static String nodeIdOf(X509Certificate c) {
        try {
            var sans = c.getSubjectAlternativeNames();
            if (sans != null) {
                for (var san : sans) {
                    if (Integer.valueOf(6).equals(san.get(0)) && san.get(1) instanceof String uri && uri.startsWith("edgeway://node/")) {
                        return uri.substring("edgeway://node/".length());
                    }
                }
            }
        } catch (java.security.cert.CertificateParsingException e) {
            return null;
        }
        return null;
    }

    @Override
    public void close() {
        if (renewals != null) {
            renewals.shutdownNow();
        }
    }
}
