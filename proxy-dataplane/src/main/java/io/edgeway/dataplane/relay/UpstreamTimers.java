package io.edgeway.dataplane.relay;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The target-side timers of an {@link Exchange}: first byte (no answer yet) and idle (a response that
 * stalls). They only detect; what a timeout becomes is decided in {@link FrontendHandler#timedOut}.
 * Each timer is armed once per exchange and re-armed for the remainder, never touched on every read.
 *
 * <p>The first-byte timer is a deadline, not a task per request: arming it stores the deadline, and a
 * check task is scheduled only when none is pending. A check that finds the deadline moved on schedules
 * itself for the rest; one that finds it cleared ends. So a keep-alive connection with a request every few
 * milliseconds costs one check per timeout period instead of a schedule and a cancel per request.
 */
final class UpstreamTimers {
    private final FrontendHandler frontend;
    private final Exchange exchange;
    private final ChannelHandlerContext ctx;
    private ScheduledFuture<?> firstByte;
    private long firstByteCheckAt;
    /** When the target must have started its answer, in {@link System#nanoTime} terms; 0 when not armed. */
    private long firstByteDeadline;
    private long firstByteExchange;
    private ScheduledFuture<?> idle;
    private long lastReadNanos;

    UpstreamTimers(FrontendHandler frontend, Exchange exchange, ChannelHandlerContext ctx) {
        this.frontend = frontend;
        this.exchange = exchange;
        this.ctx = ctx;
    }

    /** The request is fully sent: from now on the target has {@code ms} to start its answer. */
    void startFirstByte(long ms) {
        if (exchange.responseStarted() || firstByteDeadline != 0) {
            return;
        }
        firstByteExchange = exchange.id;
        firstByteDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms) | 1; // never 0
        if (firstByte != null && firstByteCheckAt - firstByteDeadline > 0) {
            firstByte.cancel(false); // pending for a later moment than this deadline: a shorter timeout
            firstByte = null;
        }
        if (firstByte == null) {
            scheduleFirstByteCheck(firstByteDeadline);
        }
    }

    private void scheduleFirstByteCheck(long at) {
        firstByteCheckAt = at;
        firstByte = ctx.executor().schedule(this::checkFirstByte, at - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    private void checkFirstByte() {
        firstByte = null;
        if (firstByteDeadline == 0) {
            return;
        }
        if (firstByteDeadline - System.nanoTime() > 0) {
            scheduleFirstByteCheck(firstByteDeadline);
            return;
        }
        firstByteDeadline = 0;
        long id = firstByteExchange;
        if (id == exchange.id && exchange.phase().onTarget() && !exchange.responseStarted()) {
            frontend.timedOut(Timeout.FIRST_BYTE, id);
        }
    }

    /** End of an upstream read batch. Armed only for responses that outlive one batch: small ones cost no timer. */
    void upstreamRead(long idleMs) {
        lastReadNanos = System.nanoTime();
        if (exchange.responseStarted() && idle == null) {
            scheduleIdleCheck(idleMs, idleMs);
        }
    }

    /** Disarms both; a pending first-byte check stays, to serve the next exchange's deadline. */
    void cancel() {
        firstByteDeadline = 0;
        if (idle != null) {
            idle.cancel(false);
            idle = null;
        }
    }

    /** Disarms both and drops the pending check too: the connection is closing or answered locally. */
    void cancelAll() {
        cancel();
        if (firstByte != null) {
            firstByte.cancel(false);
            firstByte = null;
        }
    }

    private void scheduleIdleCheck(long delayMs, long idleMs) {
        long id = exchange.id;
        idle = ctx.executor().schedule(() -> {
            idle = null;
            if (id != exchange.id || !exchange.phase().onTarget()) {
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
