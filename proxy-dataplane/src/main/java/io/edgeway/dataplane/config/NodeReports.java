package io.edgeway.dataplane.config;

import static java.util.Objects.requireNonNull;

import io.edgeway.proto.v1.LoadReport;
import io.edgeway.proto.v1.NodeMessage;
import io.edgeway.proto.v1.Status;
import io.edgeway.proto.v1.TargetHealth;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the proxy tells the control plane besides answers: its Status (drain state, target health) and its
 * load reports. Runs on the config client's thread, like the stream it writes to ({@code stream} gives the
 * current one, or null while it is down).
 */
final class NodeReports {
    private static final Logger log = LoggerFactory.getLogger(NodeReports.class);

    private final ScheduledExecutorService executor;
    private final Supplier<StreamObserver<NodeMessage>> stream;

    // Confined to the executor thread.
    private boolean draining;
    private List<TargetHealth> targetHealth; // the latest report; resent after every Hello
    private long healthSentNanos;
    private boolean healthScheduled;

    NodeReports(ScheduledExecutorService executor, Supplier<StreamObserver<NodeMessage>> stream) {
        this.executor = requireNonNull(executor, "executor");
        this.stream = requireNonNull(stream, "stream");
    }

    /** See {@link ConfigClient#reportLoadEvery}. */
    void loadEvery(Duration every, Supplier<LoadReport> next) {
        long ms = Math.max(1, every.toMillis());
        executor.scheduleAtFixedRate(() -> {
            try {
                LoadReport r = next.get();
                StreamObserver<NodeMessage> requests = stream.get();
                if (requests != null) {
                    requests.onNext(NodeMessage.newBuilder().setLoad(r).build());
                }
            } catch (RuntimeException e) {
                log.warn("could not send a load report: {}", e.toString());
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** See {@link ConfigClient#drain}. */
    void drain() {
        executor.execute(() -> {
            draining = true;
            sendStatus();
        });
    }

    /**
     * One Status carries everything the control plane keeps about this node beyond versions (drain state and
     * target health), so no report can make another look stale. Also sent after every Hello: a new stream may
     * reach another replica, which knows nothing of this node yet.
     */
    void sendStatus() {
        StreamObserver<NodeMessage> requests = stream.get();
        if (requests == null || (!draining && targetHealth == null)) {
            return;
        }
        Status.Builder status = Status.newBuilder().setDraining(draining);
        if (targetHealth != null) {
            status.addAllTargets(targetHealth);
        }
        requests.onNext(NodeMessage.newBuilder().setStatus(status).build());
    }

    /** See {@link ConfigClient#reportTargetHealth}. */
    void targetHealth(List<TargetHealth> targets) {
        List<TargetHealth> copy = List.copyOf(targets);
        try {
            executor.execute(() -> healthOnExecutor(copy));
        } catch (RejectedExecutionException e) {
            // closing: the stream is gone, and the health thread must not die of it
        }
    }

    private void healthOnExecutor(List<TargetHealth> copy) {
        targetHealth = copy;
        if (healthScheduled) {
            return; // already due to send: it will send this newer report
        }
        healthScheduled = true;
        long waitNanos = healthSentNanos == 0 ? 0
                : Math.max(0, healthSentNanos + TimeUnit.SECONDS.toNanos(1) - System.nanoTime());
        executor.schedule(() -> {
            healthScheduled = false;
            if (stream.get() != null) {
                healthSentNanos = System.nanoTime();
                sendStatus();
            }
        }, waitNanos, TimeUnit.NANOSECONDS);
    }
}
