package io.edgeway.dataplane.l4;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.HalfClosedEpoll;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;

/**
 * One direction of a TCP stream: what this channel reads goes to {@code peer}. Both channels have one each,
 * on the same event loop. Backpressure: when the peer's outbound buffer passes its high water mark even after a
 * flush (its socket is full) this side stops reading (autoRead off) until the peer drains below the low mark. Writes use the void promise, so a
 * chunk costs no promise or listener; a failed write surfaces as the peer's exception and closes both.
 */
final class Relay extends ChannelInboundHandlerAdapter {
    private final Channel peer;
    private final CounterDataPoint bytes;
    private final TcpConnection connection;

    Relay(Channel peer, CounterDataPoint bytes, TcpConnection connection) {
        this.peer = peer;
        this.bytes = bytes;
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b) {
            bytes.inc(b.readableBytes());
        }
        connection.touched();
        peer.write(msg, peer.voidPromise());
        if (!peer.isWritable()) {
            // Past the high water mark: write what this batch read so far now, and stop reading only if the
            // peer's socket did not take it. Stopping on every unflushed 64 KiB chunk (as before) cost two
            // epoll_ctl calls and an epoll_wait per read on a bulk stream, though loopback and LAN sockets take
            // it at once.
            peer.flush();
            if (!peer.isWritable() && !inputShut(ctx.channel())) {
                ctx.channel().config().setAutoRead(false);
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        peer.flush(); // one flush per read batch, not per chunk
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && !inputShut(peer)) {
            // this side drained: the peer may read again (not once its input is shut: nothing is left to read)
            peer.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // the other direction keeps writing to this channel: keep its fd in epoll (Netty 4.2.18 bug)
            HalfClosedEpoll.keepRegistered(ctx.channel());
            inputShutdown(ctx.channel());
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * A FIN from this side ({@code self}): passed on once what was read before it is written; the other
     * direction stays open until its side sends a FIN too.
     */
    void inputShutdown(Channel self) {
        peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess() && peer instanceof DuplexChannel d) {
                d.shutdownOutput().addListener(s -> closeIfBothDone(self));
            } else {
                connection.close();
            }
        });
    }

    static boolean inputShut(Channel ch) {
        return ch instanceof DuplexChannel d && d.isInputShutdown();
    }

    private void closeIfBothDone(Channel self) {
        if (self instanceof DuplexChannel a && peer instanceof DuplexChannel b
                && a.isInputShutdown() && b.isInputShutdown()) {
            connection.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.closeAfterFlush(peer);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        connection.close(); // a reset or a failed write: nothing more can be relayed either way
    }
}
