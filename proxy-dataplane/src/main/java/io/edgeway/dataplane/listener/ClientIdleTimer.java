package io.edgeway.dataplane.listener;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The client connection's idle timers, firing the same {@link IdleStateEvent}s as Netty's
 * IdleStateHandler (reader idle, writer idle, all idle), at a fraction of its cost per request: it puts no
 * listener on any write (IdleStateHandler turns every write's void promise into a real one to learn when
 * it completed) and keeps one check task per connection instead of three.
 *
 * <p>Reads and flushes only record a time. Writer idle is about a client that stopped reading, which
 * shows as a connection that is not writable: each check compares the bytes still queued with the last
 * check's, and a connection that stayed unwritable without any of them going out for the write timeout
 * fires. Progress is seen at checks, so such a client is cut between one and two write timeouts after it
 * stopped reading.
 */
final class ClientIdleTimer extends ChannelDuplexHandler {
    private final long readerNanos;
    private final long writerNanos;
    private final long allNanos;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> check;
    private boolean reading;
    private long lastRead;
    private long lastFlush;
    private long lastProgress;
    private long pendingAtLastCheck = -1;
    private long readerFired;
    private long writerFired;
    private long allFired;

    ClientIdleTimer(long readerMs, long writerMs, long allMs) {
        this.readerNanos = TimeUnit.MILLISECONDS.toNanos(readerMs);
        this.writerNanos = TimeUnit.MILLISECONDS.toNanos(writerMs);
        this.allNanos = TimeUnit.MILLISECONDS.toNanos(allMs);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reading = true;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (reading) {
            reading = false;
            lastRead = System.nanoTime();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        lastFlush = System.nanoTime();
        ctx.flush();
    }

    private void start() {
        if (check != null) {
            return;
        }
        long now = System.nanoTime();
        lastRead = lastFlush = lastProgress = readerFired = writerFired = allFired = now;
        schedule(now);
    }

    private void stop() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    private void run() {
        check = null;
        if (!ctx.channel().isOpen()) {
            return;
        }
        long now = System.nanoTime();
        if (writerNanos > 0) {
            ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
            long pending = out == null ? 0 : out.totalPendingWriteBytes();
            if (ctx.channel().isWritable() || pending != pendingAtLastCheck) {
                lastProgress = now;
            }
            pendingAtLastCheck = pending;
        }
        // Each timer fires once per period of idleness, as IdleStateHandler's do; the receiver decides.
        if (readerNanos > 0 && !reading && now - Math.max(lastRead, readerFired) >= readerNanos) {
            readerFired = now;
            ctx.fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
        }
        if (writerNanos > 0 && now - Math.max(lastProgress, writerFired) >= writerNanos) {
            writerFired = now;
            ctx.fireUserEventTriggered(IdleStateEvent.WRITER_IDLE_STATE_EVENT);
        }
        if (allNanos > 0 && !reading && now - Math.max(Math.max(lastRead, lastFlush), allFired) >= allNanos) {
            allFired = now;
            ctx.fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        }
        if (ctx.channel().isOpen()) {
            schedule(now);
        }
    }

    /** The next check: at the earliest deadline, but never sooner than 1 ms from now. */
    private void schedule(long now) {
        long next = Long.MAX_VALUE;
        if (readerNanos > 0) {
            next = Math.min(next, Math.max(lastRead, readerFired) + readerNanos - now);
        }
        if (writerNanos > 0) {
            next = Math.min(next, Math.max(lastProgress, writerFired) + writerNanos - now);
        }
        if (allNanos > 0) {
            next = Math.min(next, Math.max(Math.max(lastRead, lastFlush), allFired) + allNanos - now);
        }
        if (next != Long.MAX_VALUE) {
            check = ctx.executor().schedule(this::run, Math.max(next, TimeUnit.MILLISECONDS.toNanos(1)),
                    TimeUnit.NANOSECONDS);
        }
    }
}
