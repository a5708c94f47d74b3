package io.edgeway.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import io.edgeway.proto.delta.SnapshotDeltas;
import io.edgeway.proto.v1.ControlMessage;
import io.edgeway.proto.v1.FleetShare;
import io.edgeway.proto.v1.Hello;
import io.edgeway.proto.v1.Nack;
import io.edgeway.proto.v1.NodeMessage;
import io.edgeway.proto.v1.ResourceError;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Collectors;

/**
 * One proxy's stream. It holds at most one pending snapshot: when the transport is not ready, a newer
 * version replaces the waiting one, so a slow proxy costs one reference, never a queue.
 */
final class NodeStream implements StreamObserver<NodeMessage> {

    private final ServerCallStreamObserver<Payload> out;
    private final SnapshotCache cache;
    private final NodeLedger ledger;
    private final String address;
    private final long streamId;
    private final SendBudget budget;
    private final boolean gzip; // the client accepts gzip and the server sends the pre-gzipped bytes
    private final Executor loop;
    private final PeerIdentity identity; // from the client certificate; null on an insecure plaintext server

    // Inbound callbacks are serialized by gRPC, so these need no lock.
    private String nodeId;
    private Runnable unwatch = () -> {};

    // Guarded by this: shared between inbound callbacks, cache watchers and the transport's onReady.
    private PreparedSnapshot pending;
    private long sentVersion = -1;
    private long appliedVersion = -1;
    private long rejectedVersion = -1;
    private long sends;
    private boolean closed;
    private long inFlight; // bytes taken from the budget for a send the transport has not written yet
    private boolean queuedForBudget;
    private boolean drainQueued; // a drain is queued on the loop and will see the newest pending snapshot
    private boolean deltas; // the node said in its Hello that it applies delta snapshots (issue 22)
    private PreparedSnapshot sent; // the last one sent, to resend in full when its delta is Nacked
    private boolean sentDelta;
    private long fullOnlyVersion = -1; // its delta was Nacked: this version goes in full
    private int shareToSend; // FleetShare: the proxy count to tell this node, 0 before the first
    private int sentShare;

    NodeStream(ServerCallStreamObserver<Payload> out, SnapshotCache cache, NodeLedger ledger, String address, long streamId,
               SendBudget budget, boolean gzip, Executor loop) {
        this(out, cache, ledger, address, streamId, budget, gzip, loop, null);
    }

    NodeStream(ServerCallStreamObserver<Payload> out, SnapshotCache cache, NodeLedger ledger, String address, long streamId,
               SendBudget budget, boolean gzip, Executor loop, PeerIdentity identity) {
        this.identity = identity;
        this.out = requireNonNull(out, "out");
        this.cache = requireNonNull(cache, "cache");
        this.ledger = requireNonNull(ledger, "ledger");
        this.address = requireNonNull(address, "address");
        this.streamId = streamId;
        this.budget = requireNonNull(budget, "budget");
        this.gzip = gzip;
        this.loop = loop == null ? Runnable::run : loop;
        if (gzip) {
            out.setCompression("gzip"); // before the first message, which sends the headers
        }
        out.setOnReadyHandler(this::drain);
        out.setOnCancelHandler(this::finish);
    }

    @Override
    public void onNext(NodeMessage message) {
        if (nodeId == null) {
            hello(message);
            return;
        }
        switch (message.getKindCase()) {
            case ACK -> {
                synchronized (this) {
                    appliedVersion = Math.max(appliedVersion, message.getAck().getVersion());
                }
                ledger.applied(nodeId, streamId, message.getAck().getVersion(), message.getAck().getQuarantinedList());
            }
            case NACK -> {
                Nack nack = message.getNack();
                if (resendInFull(nack.getVersion())) {
                    ledger.seen(nodeId, streamId); // not a rejection of the config: the full snapshot follows
                    return;
                }
                synchronized (this) {
                    rejectedVersion = nack.getVersion();
                }
                ledger.rejected(nodeId, streamId, nack.getVersion(), describe(nack));
            }
            case STATUS -> {
                ledger.status(nodeId, streamId, message.getStatus().getDraining());
                if (message.getStatus().getTargetsCount() > 0) { // per-target health, sent on change
                    ledger.targetHealth(nodeId, streamId, message.getStatus().getTargetsList());
                }
            }
            case LOAD -> ledger.loadReport(nodeId, streamId, message.getLoad());
            default -> ledger.seen(nodeId, streamId);
        }
    }

    private void hello(NodeMessage message) {
        if (!message.hasHello() || message.getHello().getNodeId().isBlank()) {
            fail(Status.INVALID_ARGUMENT.withDescription("first message must be Hello with a node_id"));
            return;
        }
        Hello hello = message.getHello();
        if (identity != null && !identity.nodeId().equals(hello.getNodeId())) {
            // The certificate is the identity; a Hello naming another node is an impersonation attempt.
            fail(Status.PERMISSION_DENIED.withDescription("Hello names node " + hello.getNodeId()
                    + " but the client certificate is node " + identity.nodeId()));
            return;
        }
        nodeId = hello.getNodeId();
        ledger.attach(nodeId, streamId, identity, this::fail);
        Node node = ledger.connected(nodeId, address, hello.getLabelsMap(), hello.getAppliedVersion(), streamId);
        synchronized (this) {
            // 0 means "holds no config": even an empty version 0 is worth sending, so the proxy can be ready.
            appliedVersion = hello.getAppliedVersion() == 0 ? -1 : hello.getAppliedVersion();
            deltas = hello.getCapabilitiesList().contains(SnapshotDeltas.CAPABILITY);
            // A node that refused a version keeps refusing it after a reconnect; don't offer it again.
            rejectedVersion = node.rejectedVersion() == null ? -1 : node.rejectedVersion();
        }
        // Watch first, then read: a swap between the two is seen by one or the other. WHICH snapshot this node
        // gets (newest, or the previous one while a canary rollout holds it back) is the cache's decision.
        Map<String, String> labels = Map.copyOf(hello.getLabelsMap());
        unwatch = cache.watch(s -> offer(cache.forNode(nodeId, labels)));
        offer(cache.forNode(nodeId, labels));
        ledger.fleetShares().joined(streamId, nodeId, this::fleetShare);
    }

    /** Queues a FleetShare (issue 18) for this node; only the newest count waits, and an unchanged one is dropped. */
    private void fleetShare(int proxies) {
        synchronized (this) {
            if (closed || proxies == shareToSend) {
                return;
            }
            shareToSend = proxies;
            if (drainQueued) {
                return;
            }
            drainQueued = true;
        }
        try {
            loop.execute(this::drainQueued);
        } catch (RejectedExecutionException e) {
            finish();
        }
    }

    private void offer(PreparedSnapshot snapshot) {
        if (snapshot == null) {
            return;
        }
        synchronized (this) {
            long version = snapshot.version();
            if (closed || version <= Math.max(sentVersion, appliedVersion) || version == rejectedVersion
                    || (pending != null && pending.version() >= version)) {
                return;
            }
            pending = snapshot;
            if (drainQueued) {
                return;
            }
            drainQueued = true;
        }
        // A new version is offered to every stream from the one builder thread. Sending runs on each stream's
        // own event loop instead: the per-stream copy into transport buffers is spread over the loops, uses
        // their buffer caches, and is followed by the write on the same thread, while the builder is free at once.
        try {
            loop.execute(this::drainQueued);
        } catch (RejectedExecutionException e) {
            finish(); // the loop is shutting down, and this stream with it
        }
    }

    /**
     * A Nack of a version that went as a delta (the node ran another base, lost it, or could not merge it) is not
     * the node refusing the config: the same version goes again, in full, unless a newer one is already waiting.
     */
    private boolean resendInFull(long version) {
        synchronized (this) {
            if (closed || sent == null || !sentDelta || sent.version() != version) {
                return false;
            }
            sentDelta = false;
            fullOnlyVersion = version;
            if (pending == null || pending.version() < version) {
                pending = sent;
            }
            if (drainQueued) {
                return true;
            }
            drainQueued = true;
        }
        try {
            loop.execute(this::drainQueued);
        } catch (RejectedExecutionException e) {
            finish();
        }
        return true;
    }

    private void drainQueued() {
        synchronized (this) {
            drainQueued = false;
        }
        drain();
    }

    private void drain() {
        // onNext only hands bytes to the transport's buffer (no network I/O on this thread), so holding the
        // lock here is brief; it keeps calls on the observer serialized, which gRPC requires.
        synchronized (this) {
            releaseIfWritten();
            if (!closed && shareToSend != sentShare && out.isReady()) {
                // A few bytes, outside the send budget, and ahead of a snapshot waiting for the budget.
                sentShare = shareToSend;
                out.onNext(fleetSharePayload(sentShare, gzip));
            }
            while (!closed && pending != null && out.isReady() && !queuedForBudget) {
                PreparedSnapshot s = pending;
                // A delta only onto a version the node has acked, with nothing newer in flight to it.
                boolean deltaAllowed = deltas && s.version() != fullOnlyVersion && sentVersion <= appliedVersion;
                Payload payload = s.payloadFor(Long.toString(sends + 1), gzip, appliedVersion, deltaAllowed);
                if (!budget.acquire(payload.length(), this::resume)) {
                    queuedForBudget = true; // the budget calls resume() once earlier sends reached the wire
                    return;
                }
                inFlight = payload.length();
                pending = null;
                sentVersion = s.version();
                sent = s;
                sentDelta = s.deltaFor(appliedVersion, deltaAllowed);
                sends++;
                out.onNext(payload);
                releaseIfWritten();
            }
        }
    }

    /** Ready again means gRPC has written what it buffered: the bytes no longer count against the budget. */
    private void releaseIfWritten() {
        if (inFlight > 0 && (closed || out.isReady())) {
            budget.release(inFlight);
            inFlight = 0;
        }
    }

    private boolean resume() {
        synchronized (this) {
            queuedForBudget = false;
        }
        drain();
        synchronized (this) {
            return !queuedForBudget;
        }
    }

    private void fail(Status status) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            out.onError(status.asRuntimeException());
        }
        finish();
    }

    @Override
    public void onError(Throwable t) {
        finish();
    }

    @Override
    public void onCompleted() {
        synchronized (this) {
            if (!closed) {
                closed = true;
                out.onCompleted();
            }
        }
        finish();
    }

    private void finish() {
        synchronized (this) {
            closed = true;
            pending = null;
            sent = null;
            releaseIfWritten();
        }
        unwatch.run();
        if (nodeId != null) {
            ledger.detach(nodeId, streamId);
            ledger.disconnected(nodeId, streamId);
            ledger.fleetShares().left(streamId);
        }
    }

    static Payload fleetSharePayload(int proxies, boolean gzip) {
        byte[] message = ControlMessage.newBuilder().setFleetShare(FleetShare.newBuilder().setProxies(proxies)).build()
                .toByteArray();
        // the stream's "gzip" compressor passes bytes through (ConfigDiscovery): they must be a gzip member already
        return gzip ? new Payload(PreparedSnapshot.storedGzipMember(message), new byte[0]) : new Payload(message, new byte[0]);
    }

    private static String describe(Nack nack) {
        if (nack.getErrorsCount() == 0) {
            return "rejected without details";
        }
        return nack.getErrorsList().stream().map(NodeStream::describe).collect(Collectors.joining("; "));
    }

    private static String describe(ResourceError e) {
        StringBuilder b = new StringBuilder();
        if (!e.getKind().isEmpty()) {
            b.append(e.getKind()).append(' ');
        }
        if (!e.getName().isEmpty()) {
            b.append(e.getName()).append(' ');
        }
        if (!e.getField().isEmpty()) {
            b.append(e.getField()).append(' ');
        }
        return b.length() == 0 ? e.getMessage() : b.toString().trim() + ": " + e.getMessage();
    }
}
