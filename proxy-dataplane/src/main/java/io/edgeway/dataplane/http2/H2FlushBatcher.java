package io.edgeway.dataplane.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * Between an HTTP/2 client connection's frame codec and its socket (or {@code SslHandler}): small flushes wait
 * for the end of the event loop's turn, so that the responses of many streams answered in one turn leave in one
 * TLS record and one socket write, as nginx writes its output queue once per turn.
 *
 * <p>Why it is needed: a response relayed from a target is flushed from that target connection's read, outside
 * the client connection's read, where {@code Http2MultiplexHandler} does not batch child flushes: every stream's
 * response was its own TLS record and its own writev. Why only small ones: a turn's worth of large bodies merged
 * into one flush made {@code SslHandler} copy them into shared records (a FlushConsolidationHandler here made
 * h2 16 KiB responses 1.72x dearer); once {@link #FLUSH_NOW_BYTES} are pending, a record is full anyway and the
 * flush goes at once, as before.
 */
final class H2FlushBatcher extends ChannelOutboundHandlerAdapter {
    /** TLS's largest record payload (RFC 8446 5.1): below it, waiting can only merge records. */
    static final int FLUSH_NOW_BYTES = 16 * 1024;

    private final Runnable deferredFlush = this::flushDeferred;
    private ChannelHandlerContext ctx;
    /** Bytes written since the last flush that went through. */
    private int pendingBytes;
    /** Something was written since the last flush that went through (a frame with no bytes counts). */
    private boolean pendingWrites;
    private boolean flushScheduled;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        pendingWrites = true;
        if (msg instanceof ByteBuf b) {
            pendingBytes += b.readableBytes();
        } else if (msg instanceof ByteBufHolder h) {
            pendingBytes += h.content().readableBytes();
        }
        ctx.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (pendingBytes >= FLUSH_NOW_BYTES) {
            flushNow(ctx);
        } else if (!flushScheduled) {
            // A task runs after the turn's I/O: every stream answered in this turn has written by then.
            flushScheduled = true;
            ctx.executor().execute(deferredFlush);
        }
    }

    private void flushDeferred() {
        flushScheduled = false;
        if (pendingWrites) {
            flushNow(ctx);
        }
    }

    private void flushNow(ChannelHandlerContext ctx) {
        pendingBytes = 0;
        pendingWrites = false;
        ctx.flush();
    }

    /** What was written goes before the close (a GOAWAY, the last frames of a graceful drain). */
    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (pendingWrites) {
            flushNow(ctx);
        }
        ctx.close(promise);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (pendingWrites) {
            flushNow(ctx);
        }
    }
}
