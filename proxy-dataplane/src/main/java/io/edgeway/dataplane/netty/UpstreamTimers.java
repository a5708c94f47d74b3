package io.edgeway.dataplane.netty;

import io.edgeway.dataplane.netty.FrontendHandler.State;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The target-side timers of an {@link Exchange}: first byte (no answer yet) and idle (a response that
 * stalls). They only detect; what a timeout becomes is decided in {@link FrontendHandler#timedOut}.
 * Each timer is armed once per exchange and re-armed for the remainder, never touched on every read.
 */
final class UpstreamTimers {
    private final FrontendHandler frontend;
    private final Exchange exchange;
    private final ChannelHandlerContext ctx;
    private ScheduledFuture<?> firstByte;
    private ScheduledFuture<?> idle;
    private long lastReadNanos;

    UpstreamTimers(FrontendHandler frontend, Exchange exchange, ChannelHandlerContext ctx) {
        this.frontend = frontend;
        this.exchange = exchange;
        this.ctx = ctx;
    }

    /** The request is fully sent: from now on the target has {@code ms} to start its answer. */
    void startFirstByte(long ms) {
        if (exchange.responseStarted || firstByte != null) {
            return;
        }
        long id = exchange.id;
        firstByte = ctx.executor().schedule(() -> {
            firstByte = null;
            if (id == exchange.id && frontend.state() == State.PROXYING && !exchange.responseStarted) {
                frontend.timedOut(Timeout.FIRST_BYTE, id);
            }
        }, ms, TimeUnit.MILLISECONDS);
    }

    /** End of an upstream read batch. Armed only for responses that outlive one batch: small ones cost no timer. */
    void upstreamRead(long idleMs) {
        lastReadNanos = System.nanoTime();
        if (exchange.responseStarted && idle == null) {
            scheduleIdleCheck(idleMs, idleMs);
        }
    }

    void cancel() {
        if (firstByte != null) {
            firstByte.cancel(false);
            firstByte = null;
        }
        if (idle != null) {
            idle.cancel(false);
            idle = null;
        }
    }

    private void scheduleIdleCheck(long delayMs, long idleMs) {
        long id = exchange.id;
        idle = ctx.executor().schedule(() -> {
            idle = null;
            if (id != exchange.id || frontend.state() != State.PROXYING) {
                return;
            }
            long quietMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastReadNanos);
            if (quietMs >= idleMs && ctx.channel().isWritable()) {
                frontend.timedOut(Timeout.UPSTREAM_IDLE, id);
            } else {
                // A client that is not writable is why we are not reading: that is not the target's fault.
                scheduleIdleCheck(quietMs >= idleMs ? idleMs : idleMs - quietMs, idleMs);
            }
        }, delayMs, TimeUnit.MILLISECONDS);
    }
}
