package io.edgeway.controlplane.tls;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.discovery.NodeLedger;
import io.edgeway.controlplane.store.NodeCertificateStore;
import io.grpc.Status;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revoked certificate serials, held in memory so the interceptor never touches the database on a gRPC event
 * loop. A revocation on this replica applies at once (its streams end); other replicas hear of it by
 * LISTEN/NOTIFY and end that node's streams too, or at their next poll if the notification was lost.
 */
public final class Revocations implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Revocations.class);

    private final NodeCertificateStore store;
    private final NodeLedger ledger;
    private final AutoCloseable listener;
    private volatile Map<String, String> revoked; // serial -> node id

    public Revocations(NodeCertificateStore store, NodeLedger ledger, Duration poll) {
        this.store = requireNonNull(store, "store");
        this.ledger = requireNonNull(ledger, "ledger");
        this.revoked = Map.copyOf(store.revokedUnexpired());
        this.listener = store.onRevocation(poll, this::pollQuietly);
    }

    public boolean isRevoked(String serial) {
        return revoked.containsKey(serial);
    }

    public record Revoked(int certificates, int streams) {}

    /** Revokes every certificate of {@code nodeId} and ends its streams on this replica at once. */
    public synchronized Revoked revokeNode(String nodeId) {
        int certificates = store.revokeNode(nodeId);
        refresh();
        int streams = ledger.endStreams(nodeId, Status.PERMISSION_DENIED.withDescription("node " + nodeId + " was revoked"));
        return new Revoked(certificates, streams);
    }

    private void pollQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            log.warn("could not refresh revoked certificates (keeping the previous list): {}", e.toString());
        }
    }

    private synchronized void refresh() {
        Map<String, String> before = revoked;
        Map<String, String> now = Map.copyOf(store.revokedUnexpired());
        revoked = now;
        now.forEach((serial, node) -> {
            if (!before.containsKey(serial)) {
                ledger.endStreams(node, Status.PERMISSION_DENIED.withDescription("node " + node + " was revoked"));
            }
        });
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (Exception e) {
            log.debug("closing the revocation listener", e);
        }
    }
}
