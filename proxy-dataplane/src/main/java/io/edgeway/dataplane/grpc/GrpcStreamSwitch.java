package io.edgeway.dataplane.grpc;

import io.edgeway.dataplane.config.ConfigHolder;
import io.edgeway.dataplane.listener.TrustedProxies;
import io.edgeway.dataplane.relay.LoopResources;
import io.edgeway.dataplane.status.Metrics;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2HeadersFrame;

/**
 * The first handler of every client HTTP/2 stream, there only until the request's HEADERS arrive. A gRPC
 * request ({@code content-type: application/grpc*}) needs HTTP/2 and trailers end to end, which the
 * HTTP/1.1 exchange cannot give: the stream's pipeline becomes a {@link GrpcRelay} that relays frames to
 * the target over h2c. Anything else goes on, untouched, to the HTTP object codec and the frontend.
 * Stateless: one instance serves every stream of an event loop (a stream costs no new handler for it).
 */
@ChannelHandler.Sharable
public final class GrpcStreamSwitch extends ChannelInboundHandlerAdapter {
    private final ConfigHolder configs;
    private final LoopResources loop;
    private final Metrics metrics;
    private final TrustedProxies trustedProxies;

    public GrpcStreamSwitch(ConfigHolder configs, LoopResources loop, Metrics metrics, TrustedProxies trustedProxies) {
        this.configs = configs;
        this.loop = loop;
        this.metrics = metrics;
        this.trustedProxies = trustedProxies;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ChannelPipeline p = ctx.pipeline();
        if (msg instanceof Http2HeadersFrame headers && GrpcHeaders.isGrpc(headers.headers())) {
            for (String name : new String[] {"h2-codec", "h2-interim", "h2-request", "frontend"}) {
                if (p.get(name) != null) {
                    p.remove(name);
                }
            }
            p.addAfter(ctx.name(), "grpc", new GrpcRelay(configs, loop.h2(), metrics, trustedProxies, loop.observers(),
                    loop.rateLimits()));
        }
        p.remove(this);
        ctx.fireChannelRead(msg);
    }
}
