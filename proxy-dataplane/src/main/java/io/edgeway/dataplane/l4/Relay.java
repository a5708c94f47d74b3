package io.edgeway.dataplane.l4;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollSplice;
import io.netty.channel.epoll.HalfClosedEpoll;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;

/**
 * One direction of a TCP stream: what this channel reads goes to {@code peer}. Both channels have one each,
 * on the same event loop. Backpressure: when the peer's outbound buffer passes its high water mark even after a
 * flush (its socket is full) this side stops reading (autoRead off) until the peer drains below the low mark. Writes use the void promise, so a
 * chunk costs no promise or listener; a failed write surfaces as the peer's exception and closes both.
 *
 * <p>On epoll, once a read fills its buffer, a relay is spliced ({@link #splice}): the kernel moves the bytes
 * socket to pipe to socket and this handler sees no {@code channelRead}, only a {@code channelReadComplete} per
 * wake-up, where it counts what {@link StreamReads} saw moved and touches the idle clock. Netty's splice does the
 * backpressure itself (this channel stops reading while the peer's socket is full); the FIN is passed on only
 * after the bytes left in the socket (see {@link EpollSplice#drainTo}). Why splice: bench/README.md, layer 4.
 */
final class Relay extends ChannelInboundHandlerAdapter {
    private final Channel peer;
    private final CounterDataPoint bytes;
    private final TcpConnection connection;
    private StreamReads spliced; // this channel's reads, once spliced; null while relaying buffers

    Relay(Channel peer, CounterDataPoint bytes, TcpConnection connection) {
        this.peer = peer;
        this.bytes = bytes;
        this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        int n = msg instanceof ByteBuf b ? b.readableBytes() : 0;
        if (spliced == null) { // spliced: StreamReads counted it already
            bytes.inc(n);
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
        // A read that filled its buffer: a bulk stream, splice it from now on (as HAProxy's splice-auto does).
        // Small messages stay on buffers: a splice costs three calls (in, in again to see the pipe empty, out)
        // where a buffer costs a read and a write. Only while reading: Netty's splice must own autoRead from a
        // running state, or nothing would turn it back on.
        if (spliced == null && n >= StreamReads.READ_SIZE && ctx.channel().config().isAutoRead()) {
            splice(ctx.channel());
        }
    }

    /**
     * Splices from now on what {@code self} reads to the peer, when both are epoll channels (see the class
     * comment); returns false otherwise. Call on the loop, with {@code self} reading (autoRead on); what it read
     * before is queued to the peer already, so the spliced bytes follow it.
     */
    boolean splice(Channel self) {
        if (!EpollSplice.possible(self, peer) || !(self.config().getRecvByteBufAllocator() instanceof StreamReads r)) {
            return false;
        }
        r.splicing();
        spliced = r;
        EpollSplice.spliceForever(self, peer).addListener(f -> {
            if (!f.isSuccess()) {
                connection.close(); // a reset, a failed splice, or a channel closed: nothing more can be relayed
            }
        });
        return true;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (spliced != null) {
            count(spliced.take());
        }
        peer.flush(); // one flush per read batch, not per chunk
    }

    private void count(long n) {
        if (n > 0) {
            bytes.inc(n);
            connection.touched();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && !inputShut(peer) && !StreamReads.spliced(peer)) {
            // this side drained: the peer may read again (not once its input is shut: nothing is left to read;
            // not when it is spliced: Netty's splice turns its reads off and on by the state of this socket)
            peer.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // the other direction keeps writing to this channel: keep its fd in epoll (Netty 4.2.18 bug)
            HalfClosedEpoll.keepRegistered(ctx.channel());
            if (spliced != null && !drainSpliced(ctx.channel())) {
                return;
            }
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

    /** Spliced, after the FIN: what is left in the socket goes to the peer before the FIN does. */
    private boolean drainSpliced(Channel self) {
        try {
            long n = EpollSplice.drainTo(self, peer);
            count(spliced.take() + n);
            return true;
        } catch (Exception e) {
            connection.close();
            return false;
        }
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
