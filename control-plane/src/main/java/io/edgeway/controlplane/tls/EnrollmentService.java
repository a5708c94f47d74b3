package io.edgeway.controlplane.tls;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.discovery.NodeLedger;
import io.edgeway.controlplane.discovery.PeerIdentity;
import io.edgeway.controlplane.store.JoinTokenStore;
import io.edgeway.controlplane.store.NodeCertificateStore;
import io.edgeway.dataplane.control.JoinToken;
import io.edgeway.dataplane.control.Pems;
import io.edgeway.proto.v1.JoinRequest;
import io.edgeway.proto.v1.NodeCredentials;
import io.edgeway.proto.v1.NodeEnrollmentGrpc;
import io.edgeway.proto.v1.RenewRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Join (join token + CSR, no client certificate) and Renew (the current certificate + CSR). The proxy's key
 * never leaves it: only a CSR, whose signature proves it holds the key, crosses the wire. Work that touches
 * the database runs on a small bounded pool, never on the gRPC event loop, and a flood of Joins is refused
 * (UNAVAILABLE) rather than queued without bound.
 */
public final class EnrollmentService extends NodeEnrollmentGrpc.NodeEnrollmentImplBase implements AutoCloseable {
    private static final Logger audit = LoggerFactory.getLogger("edgeway.audit");
    static final int MAX_CSR_BYTES = 8 * 1024;

    private final CertificateAuthority ca;
    private final JoinTokenStore tokens;
    private final NodeCertificateStore certificates;
    private final Duration lifetime;
    private final NodeLedger ledger;
    private final ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256),
            r -> {
                Thread t = new Thread(r, "edgeway-enrollment");
                t.setDaemon(true);
                return t;
            });

    public EnrollmentService(CertificateAuthority ca, JoinTokenStore tokens, NodeCertificateStore certificates, NodeLedger ledger,
                             Duration lifetime) {
        this.ledger = requireNonNull(ledger, "ledger");
        this.ca = requireNonNull(ca, "ca");
        this.tokens = requireNonNull(tokens, "tokens");
        this.certificates = requireNonNull(certificates, "certificates");
        this.lifetime = requireNonNull(lifetime, "lifetime");
    }

    @Override
    public void join(JoinRequest request, StreamObserver<NodeCredentials> out) {
        run(out, () -> {
            JoinToken token;
            try {
                token = JoinToken.parse(request.getToken());
            } catch (IllegalArgumentException e) {
                throw refused(Status.UNAUTHENTICATED, e.getMessage());
            }
            if (!token.caPin().equals(ca.pin())) {
                throw refused(Status.UNAUTHENTICATED, "join token: made for another control plane CA");
            }
            JoinTokenStore.Token known = tokens.authenticate(token).orElseThrow(() ->
                    refused(Status.UNAUTHENTICATED, "join token: unknown, expired or deleted"));
            String nodeId = request.getNodeId();
            if (!NodeIds.valid(nodeId)) {
                throw refused(Status.INVALID_ARGUMENT, "node_id: " + abbreviate(nodeId)
                        + " (expected: 1-128 of A-Z a-z 0-9 . _ -, starting with a letter or digit)");
            }
            NodeCredentials issued = issue(nodeId, request.getCsrDer().toByteArray(), known.name());
            audit.info("{\"event\":\"node_joined\",\"node\":\"{}\",\"join_token\":\"{}\"}", nodeId, known.name());
            return issued;
        });
    }

    @Override
    public void renew(RenewRequest request, StreamObserver<NodeCredentials> out) {
        PeerIdentity identity = PeerIdentity.CURRENT.get(); // read on the call's thread: the pool has no gRPC context
        run(out, () -> {
            if (identity == null) {
                throw refused(Status.UNAUTHENTICATED, "renewal needs the client certificate being renewed");
            }
            NodeCredentials renewed = issue(identity.nodeId(), request.getCsrDer().toByteArray(), null);
            X509Certificate cert = Pems.certificates(renewed.getCertificatePem()).get(0);
            ledger.renewed(identity.nodeId(), new PeerIdentity(identity.nodeId(), cert.getSerialNumber().toString(16),
                    cert.getNotAfter().toInstant()));
            return renewed;
        });
    }

    private NodeCredentials issue(String nodeId, byte[] csrDer, String joinTokenName) {
        PublicKey key = publicKeyOf(csrDer);
        X509Certificate cert = ca.issueNode(nodeId, key, lifetime);
        certificates.issued(cert.getSerialNumber().toString(16), nodeId, cert.getNotBefore().toInstant(),
                cert.getNotAfter().toInstant(), joinTokenName);
        return NodeCredentials.newBuilder()
                .setCertificatePem(Pems.pem(cert))
                .setCaPem(Pems.pem(ca.certificate()))
                .setNodeId(nodeId)
                .setExpiresAtMs(cert.getNotAfter().getTime())
                .build();
    }

    /** The CSR's key, once its signature proves the requester holds the private half; only strong keys. */
    static PublicKey publicKeyOf(byte[] der) {
        if (der.length == 0 || der.length > MAX_CSR_BYTES) {
            throw refused(Status.INVALID_ARGUMENT, "csr_der: " + der.length + " bytes (expected: a PKCS#10 CSR of 1-" + MAX_CSR_BYTES + ")");
        }
        try {
            PKCS10CertificationRequest csr = new PKCS10CertificationRequest(der);
            // The JDK's KeyFactory knows "EC" and "RSA" by name, not by BouncyCastle's OIDs.
            String algorithm = csr.getSubjectPublicKeyInfo().getAlgorithm().getAlgorithm().equals(X9ObjectIdentifiers.id_ecPublicKey)
                    ? "EC" : "RSA";
            PublicKey key = KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(csr.getSubjectPublicKeyInfo().getEncoded()));
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
                throw refused(Status.INVALID_ARGUMENT, "csr_der: signature does not match its key");
            }
            boolean strong = key instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() >= 256
                    || key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() >= 2048;
            if (!strong) {
                throw refused(Status.INVALID_ARGUMENT, "csr_der: key " + key.getAlgorithm() + " (expected: EC P-256 or stronger, or RSA >= 2048)");
            }
            return key;
        } catch (StatusRuntimeException e) {
            throw e;
        } catch (Exception e) { // BouncyCastle reports malformed DER with several unrelated exception types
            throw refused(Status.INVALID_ARGUMENT, "csr_der: not a PKCS#10 CSR");
        }
    }

    private void run(StreamObserver<NodeCredentials> out, Supplier<NodeCredentials> work) {
        try {
            pool.execute(() -> {
                try {
                    NodeCredentials c = work.get();
                    out.onNext(c);
                    out.onCompleted();
                } catch (StatusRuntimeException e) {
                    out.onError(e);
                } catch (RuntimeException e) {
                    LoggerFactory.getLogger(EnrollmentService.class).error("enrollment failed", e);
                    out.onError(Status.INTERNAL.withDescription("enrollment failed").asRuntimeException());
                }
            });
        } catch (RejectedExecutionException e) {
            out.onError(Status.UNAVAILABLE.withDescription("too many enrollments at once; retry").asRuntimeException());
        }
    }

    private static StatusRuntimeException refused(Status status, String why) {
        return status.withDescription(why).asRuntimeException();
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
