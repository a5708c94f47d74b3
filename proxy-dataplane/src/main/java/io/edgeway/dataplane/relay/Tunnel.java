package io.edgeway.dataplane.relay;

import io.edgeway.dataplane.listener.Drain;
import io.edgeway.dataplane.status.Metrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.epoll.HalfClosedEpoll;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * What a client connection and its upstream connection become after the target answered 101 to a
 * WebSocket handshake: a byte relay, HexDump-proxy style. AUTO_READ stays off and each side reads its next
 * chunk only once the previous one is written to the other side, so a slow reader slows the writer down.
 * The HTTP codecs, the drain/frontend handlers and the idle timers are removed: a WebSocket is quiet for
 * long stretches, which is not a stalled request. The config is never read again, so config pushes do not
 * touch an open tunnel. A FIN from one side is passed on as a FIN (half-close); once both sides have sent
 * theirs, or either one closes or fails, both connections are closed.
 */
final class Tunnel {
    private final Side client;
    private final Side upstream;
    private final Metrics metrics;

    private Tunnel(Channel client, Channel upstream, Metrics metrics) {
        this.metrics = metrics;
        this.client = new Side(client, true);
        this.upstream = new Side(upstream, false);
        this.client.peer = this.upstream;
        this.upstream.peer = this.client;
    }

    /**
     * Switches both pipelines to the relay. Called on the event loop both channels share, after the 101
     * head and its end went through the client's encoder and while the upstream decoder is between messages.
     *
     * @param closeAtOnce the connection was told to drain before it upgraded: close once the 101 is out
     */
    static void open(Channel client, Channel upstream, Metrics metrics, boolean closeAtOnce) {
        Tunnel t = new Tunnel(client, upstream, metrics);
        t.client.install();
        t.upstream.install();
        if (closeAtOnce) {
            t.closeBoth();
            return;
        }
        client.read();
        upstream.read();
    }

    private void closeBoth() {
        client.closeAfterFlush();
        upstream.closeAfterFlush();
    }

    /** One direction's reader: what it reads is written to {@link #peer}. */
    private final class Side extends ChannelInboundHandlerAdapter {
        private final Channel ch;
        private final boolean isClient;
        private Side peer;
        private ChannelHandlerContext ctx;
        private boolean inputDone;
        private boolean closed;

        Side(Channel ch, boolean isClient) {
            this.ch = ch;
            this.isClient = isClient;
        }

        /**
         * First in the pipeline, so reads reach it before any codec and its writes skip every encoder.
         * Decoders are removed last, behind a catcher: bytes they had buffered past the handshake (a
         * target that speaks first) come out of them on removal and are relayed too. On the TLS listener
         * the TLS handler stays in front: the relay carries the plaintext.
         */
        void install() {
            ChannelPipeline p = ch.pipeline();
            SslHandler tls = p.get(SslHandler.class);
            if (tls != null) {
                p.addAfter(p.context(tls).name(), "tunnel", this);
            } else {
                p.addFirst("tunnel", this);
            }
            ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
            List<ChannelHandler> rest = new ArrayList<>();
            p.forEach(e -> {
                if (e.getValue() != this && e.getValue() != tls) {
                    rest.add(e.getValue());
                }
            });
            p.addLast("tunnel-leftovers", new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext c, Object msg) {
                    relay(msg);
                }
            });
            for (int i = rest.size() - 1; i >= 0; i--) {
                p.remove(rest.get(i));
            }
            p.remove("tunnel-leftovers");
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            relay(msg);
        }

        private void relay(Object msg) {
            if (peer.closed || !peer.ch.isActive()) {
                ReferenceCountUtil.release(msg);
                return;
            }
            peer.ctx.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    if (!inputDone) { // after our FIN there is nothing to read; a read would only re-arm EPOLLIN
                        ctx.read();
                    }
                } else {
                    closeBoth();
                }
            });
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                inputDone = true;
                // the other direction keeps writing to this channel: keep its fd in epoll (Netty 4.2.18 bug)
                HalfClosedEpoll.keepRegistered(ch);
                if (peer.inputDone || !(peer.ch instanceof DuplexChannel duplex)) {
                    closeBoth();
                } else {
                    // Pass the FIN on after what is still queued; the other direction keeps flowing.
                    peer.ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> duplex.shutdownOutput());
                }
            } else if (evt == Drain.CLOSE_WHEN_IDLE) {
                // A WebSocket has no idle point the proxy can see and would outlive any drain timeout;
                // the listener is closed by now, so the client reconnects through another proxy.
                closeBoth();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closed = true;
            if (!isClient) { // the client side's gauge is ClientConnectionGauge's, on the socket's close
                metrics.upstreamConnectionsActive.decrement();
            }
            peer.closeAfterFlush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            closeBoth();
        }

        void closeAfterFlush() {
            if (!closed && ch.isActive()) {
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
