package io.edgeway.dataplane.listener;

import io.edgeway.dataplane.status.Metrics;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The one place that moves {@code edgeway_client_connections}: +1 when a client TCP connection starts, -1 when
 * it closes, whatever it ends up speaking. Counting in the frontend went wrong because the frontend is not
 * one per connection: HTTP/2 adds one per stream, and h2c/ALPN/WebSocket/gRPC switches remove it, so each of
 * those had to patch the gauge by hand. Here the decrement hangs on the socket's close future, which no
 * pipeline rebuild can remove, and the handler leaves the pipeline once counted so it costs nothing per read.
 * It sits after the connection-limits guard and the PROXY protocol handlers, which pass {@code channelActive}
 * on only for a connection they let start: a refused one is never counted.
 */
@ChannelHandler.Sharable
public final class ClientConnectionGauge extends ChannelInboundHandlerAdapter {
    private final Metrics metrics;
    private final ChannelFutureListener uncount;

    public ClientConnectionGauge(Metrics metrics) {
        this.metrics = metrics;
        this.uncount = f -> metrics.clientConnections.decrement();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        metrics.clientConnections.increment();
        ctx.channel().closeFuture().addListener(uncount);
        ctx.pipeline().remove(this);
        ctx.fireChannelActive();
    }
}
