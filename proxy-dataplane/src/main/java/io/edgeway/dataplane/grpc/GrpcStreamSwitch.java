package io.edgeway.dataplane.grpc;

import io.edgeway.dataplane.config.ConfigHolder;
import io.edgeway.dataplane.listener.TrustedProxies;
import io.edgeway.dataplane.relay.LoopResources;
import io.edgeway.dataplane.status.Metrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2HeadersFrame;

/**
 * Decides, once per client HTTP/2 stream, at the request's HEADERS, whether the stream is gRPC. A gRPC
 * request ({@code content-type: application/grpc*}) needs HTTP/2 and trailers end to end, which the
 * HTTP/1.1 exchange cannot give: the stream's pipeline becomes a {@link GrpcRelay} that relays frames to
 * the target over h2c. Anything else goes on, untouched, to the HTTP object codec and the frontend.
 * Stateless: one instance serves every stream of an event loop. It is not a handler of its own in the
 * stream's pipeline: the stream's guard, which sees the first HEADERS anyway, asks it ({@link #takeOver}),
 * so that an ordinary stream costs no handler added and removed again.
 */
public final class GrpcStreamSwitch {
    /** The HTTP/1 path of a stream, which a gRPC stream does without. */
    private static final String[] HTTP1_PATH = {"h2-codec", "h2-interim", "h2-request", "frontend"};

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

    /**
     * For the HEADERS that open a stream, called by the handler {@code ctx} before it passes them on: a gRPC
     * request gets a {@link GrpcRelay} right after that handler in place of the HTTP/1 path.
     */
    public void takeOver(ChannelHandlerContext ctx, Http2HeadersFrame headers) {
        if (!GrpcHeaders.isGrpc(headers.headers())) {
            return;
        }
        ChannelPipeline p = ctx.pipeline();
        for (String name : HTTP1_PATH) {
            if (p.get(name) != null) {
                p.remove(name);
            }
        }
        p.addAfter(ctx.name(), "grpc", new GrpcRelay(configs, loop.h2(), metrics, trustedProxies, loop.observers(),
                loop.rateLimits()));
    }
}
