package io.edgeway.controlplane;

import io.edgeway.controlplane.api.ControlChannelApi;
import io.edgeway.controlplane.discovery.ConfigDiscovery;
import io.edgeway.controlplane.site.SiteBlobs;
import io.edgeway.controlplane.discovery.NodeLedger;
import io.edgeway.controlplane.discovery.SnapshotCache;
import io.edgeway.controlplane.model.Durations;
import io.edgeway.controlplane.store.Database;
import io.edgeway.controlplane.store.JoinTokenStore;
import io.edgeway.controlplane.store.NodeCertificateStore;
import io.edgeway.controlplane.store.NotFoundException;
import io.edgeway.controlplane.tls.CertificateAuthority;
import io.edgeway.controlplane.tls.EnrollmentService;
import io.edgeway.controlplane.tls.GrpcSecurity;
import io.edgeway.controlplane.tls.GrpcTls;
import io.edgeway.controlplane.tls.NodeIdentityInterceptor;
import io.edgeway.controlplane.tls.Revocations;
import io.edgeway.dataplane.control.Pems;
import io.grpc.Server;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The gRPC port with its security: the CA, mTLS, enrollment, revocation, and the admin API's half of it. */
final class ControlChannelServer {
    private static final Logger log = LoggerFactory.getLogger(ControlChannelServer.class);
    /** The safety net behind LISTEN/NOTIFY: how soon a revocation on another replica ends streams here if its notification was lost. */
    static final Duration REVOCATION_POLL = Duration.ofSeconds(5);

    /** EDGEWAY_REVOCATION_POLL: the period of the revocation poll behind LISTEN/NOTIFY (default 5s). */
    static Duration revocationPoll(Map<String, String> env) {
        String text = env.get("EDGEWAY_REVOCATION_POLL");
        return text == null || text.isBlank() ? REVOCATION_POLL : Durations.parse("EDGEWAY_REVOCATION_POLL", text.trim());
    }
    static final Duration BOOTSTRAP_TOKEN_TTL = Duration.ofHours(1);

    private final Server server;
    private final ControlChannelApi api;

    private ControlChannelServer(Server server, ControlChannelApi api) {
        this.server = server;
        this.api = api;
    }

    static ControlChannelServer start(Settings settings, Map<String, String> env, Database db, NodeLedger ledger,
                                      SnapshotCache cache, Deque<AutoCloseable> resources) throws IOException {
        GrpcSecurity security = settings.grpcSecurity();
        // Insecure plaintext needs no CA; an in-memory one keeps join tokens well-formed without writing files.
        CertificateAuthority ca = security.insecurePlaintext()
                ? CertificateAuthority.generate("Edgeway ephemeral CA (insecure plaintext gRPC)")
                : CertificateAuthority.load(env, settings.dataDir());
        JoinTokenStore joinTokens = new JoinTokenStore(db);
        NodeCertificateStore certificates = new NodeCertificateStore(db);
        Revocations revocations = new Revocations(certificates, ledger, revocationPoll(env));
        resources.push(revocations);
        if (security.bootstrapJoinTokenFile() != null) {
            writeBootstrapToken(joinTokens, ca, security);
        }
        Server server;
        if (security.insecurePlaintext()) {
            log.warn("gRPC is INSECURE PLAINTEXT on {} (EDGEWAY_GRPC_INSECURE_PLAINTEXT=true): node ids are not verified",
                    settings.grpcAddress());
            server = ConfigDiscovery.serve(settings.grpcAddress(), settings.grpcPort(), cache, ledger,
                    io.grpc.InsecureServerCredentials.create(), null, List.of(), new SiteBlobs(db));
        } else {
            EnrollmentService enrollment = new EnrollmentService(ca, joinTokens, certificates, ledger, security.nodeCertLifetime());
            resources.push(enrollment);
            server = ConfigDiscovery.serve(settings.grpcAddress(), settings.grpcPort(), cache, ledger,
                    GrpcTls.credentials(ca, security.serverNames()), new NodeIdentityInterceptor(ca, revocations),
                    List.of(enrollment.bindService()), new SiteBlobs(db));
            log.info("gRPC: mTLS, CA pin {}, server names {}", ca.pin(), security.serverNames());
        }
        return new ControlChannelServer(server, new ControlChannelApi(joinTokens, revocations, ledger, ca::pin));
    }

    /** A fresh token named "bootstrap" at every start, so a token file left on disk is never valid for long. */
    private static void writeBootstrapToken(JoinTokenStore tokens, CertificateAuthority ca, GrpcSecurity security) throws IOException {
        try {
            tokens.delete("bootstrap");
        } catch (NotFoundException e) {
            // first start
        }
        String text = tokens.create("bootstrap", BOOTSTRAP_TOKEN_TTL, ca.pin()).text();
        var file = security.bootstrapJoinTokenFile().toAbsolutePath();
        Files.createDirectories(file.getParent());
        Pems.writePrivate(file, text + "\n");
    }

    Server server() {
        return server;
    }

    ControlChannelApi api() {
        return api;
    }
}
