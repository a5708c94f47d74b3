package io.edgeway.dataplane.grpc;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A call's first-byte deadline, as on HTTP/1.1: from the end of the request, the target has first_byte_ms to
 * start answering. Armed at most once at a time; runs on the call's event loop, so no locking.
 */
final class FirstByteTimer {
    private ScheduledFuture<?> pending;

    /** Arms the timer unless it is armed already; {@code onTimeout} runs on {@code loop} when it fires. */
    void start(EventExecutor loop, long millis, Runnable onTimeout) {
        if (pending != null) {
            return;
        }
        pending = loop.schedule(() -> {
            pending = null;
            onTimeout.run();
        }, millis, TimeUnit.MILLISECONDS);
    }

    void cancel() {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }
}
