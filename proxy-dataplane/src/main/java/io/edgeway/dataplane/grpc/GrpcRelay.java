package io.edgeway.dataplane.grpc;

import io.edgeway.dataplane.balancing.Endpoint;
import io.edgeway.dataplane.config.ConfigHolder;
import io.edgeway.dataplane.config.RuntimeConfig;
import io.edgeway.dataplane.http2.H2Upstreams;
import io.edgeway.dataplane.listener.ClientAddress;
import io.edgeway.dataplane.listener.TrustedProxies;
import io.edgeway.dataplane.relay.Observers;
import io.edgeway.dataplane.routing.RouteRule;
import io.edgeway.dataplane.status.Metrics;
import io.edgeway.dataplane.status.RouteMeter;
import io.edgeway.dataplane.tls.ListenerScheme;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * Relays one client gRPC stream to a stream on the target's h2c connection ({@link H2Upstreams}) frame
 * by frame: HEADERS, DATA and trailers both ways, RST_STREAM both ways. Both stream channels keep
 * AUTO_READ off and each side is read only while the other is writable; a stream channel hands the
 * window back to its peer only as its frames are read, so HTTP/2 flow control carries the backpressure
 * to both ends. Frames are copied, never passed on: a frame belongs to the stream it arrived on.
 *
 * <p>Failures before the response started are answered like a gRPC server would (Trailers-Only with a
 * grpc-status); after that only a RST_STREAM can tell the client.
 */
final class GrpcRelay extends ChannelInboundHandlerAdapter {
    private final ConfigHolder configs;
    private final H2Upstreams upstreams;
    final Metrics metrics;
    private final TrustedProxies trustedProxies;
    final GrpcCallLog call;
    /** Frames read before the target's stream was open; bounded by the client's stream window. */
    final ArrayDeque<Http2StreamFrame> pending = new ArrayDeque<>(4);
    ChannelHandlerContext ctx;
    private RouteRule route;
    /** The target's stream, once {@link GrpcTargetStream} opened it. */
    Http2StreamChannel upstream;
    private final FirstByteTimer firstByte = new FirstByteTimer();
    private boolean routed;
    private long startNanos;
    boolean requestEnded;
    boolean responseStarted;
    boolean responseEnded;
    boolean done;
    /** Counted as in flight by its balancer (least-request) until the client's stream closes. */
    private Endpoint target;
    private final GrpcLimits limits;

    GrpcRelay(ConfigHolder configs, H2Upstreams upstreams, Metrics metrics, TrustedProxies trustedProxies,
              Observers observers, io.edgeway.dataplane.limits.RateLimits rateLimits) {
        this.limits = new GrpcLimits(rateLimits);
        this.configs = configs;
        this.upstreams = upstreams;
        this.metrics = metrics;
        this.trustedProxies = trustedProxies;
        this.call = new GrpcCallLog(observers);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    // ---- client side

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done || !(msg instanceof Http2StreamFrame frame)) {
            ReferenceCountUtil.release(msg);
        } else if (!routed) {
            routed = true;
            if (msg instanceof Http2HeadersFrame head) {
                onRequest(head);
            } else {
                ReferenceCountUtil.release(msg);
            }
        } else {
            Http2StreamFrame copy = copyRequestFrame(frame);
            if (copy == null) {
                return;
            }
            if (upstream != null) {
                upstream.write(copy);
                if (requestEnded) {
                    startFirstByte();
                }
            } else {
                pending.add(copy); // the timer starts once the request is on its way: opened()
            }
        }
    }

    private void onRequest(Http2HeadersFrame head) {
        startNanos = System.nanoTime();
        Http2Headers h = head.headers();
        InetSocketAddress isa = ClientAddress.of(ctx.channel()); // the stream's connection: PROXY header or peer
        String peerIp = isa == null ? "" : isa.getAddress().getHostAddress();
        boolean trusted = isa != null && trustedProxies.contains(isa.getAddress());
        // One volatile read per request, as on the HTTP/1.1 path.
        RuntimeConfig config = configs.get();
        call.begin(h, peerIp, config.version());
        GrpcRouting.Decision decision = GrpcRouting.decide(config, h, peerIp, limits);
        route = decision.route();
        if (decision.isRefused()) {
            fail(decision.grpcStatus(), decision.httpStatus(), decision.message());
            return;
        }
        target = decision.target();
        GrpcHeaders.request(h, peerIp, trusted, ListenerScheme.of(ctx.channel()));
        call.traceContext(h);
        requestEnded = head.isEndStream();
        pending.add(new DefaultHttp2HeadersFrame(h, head.isEndStream()));
        upstreams.connection(target, route.timeouts().connectMs())
                .addListener((Future<Channel> f) -> GrpcTargetStream.connected(this, f));
    }

    /** The copy to send upstream, or {@code null} for frames that do not travel (released here). */
    private Http2StreamFrame copyRequestFrame(Http2StreamFrame frame) {
        if (requestEnded) {
            ReferenceCountUtil.release(frame);
            return null;
        }
        if (frame instanceof Http2DataFrame data) {
            requestEnded = data.isEndStream();
            call.bytesIn += data.content().readableBytes();
            if (limits.bodyOver(call.bytesIn)) { // this frame would pass the limit: it stays here
                ReferenceCountUtil.release(frame);
                GrpcRouting.Decision refusal = GrpcRouting.tooLarge(route); // nothing more of the body goes on
                fail(refusal.grpcStatus(), refusal.httpStatus(), refusal.message());
                return null;
            }
            // The content changes owner; padding is this hop's business, not the target's.
            return new DefaultHttp2DataFrame(data.content(), data.isEndStream());
        }
        if (frame instanceof Http2HeadersFrame trailers) {
            requestEnded = true;
            GrpcHeaders.requestTrailers(trailers.headers());
            return new DefaultHttp2HeadersFrame(trailers.headers(), true);
        }
        ReferenceCountUtil.release(frame);
        return null;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (upstream != null && !done) {
            upstream.flush();
            readClientIfWritable();
        }
    }

    void readClientIfWritable() {
        if (!requestEnded && !done && upstream != null && upstream.isWritable()) {
            ctx.read();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && upstream != null && !done) {
            upstream.read();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2ResetFrame reset) {
            // The client cancelled: the target hears the same code.
            done = true;
            if (upstream != null && upstream.isActive()) {
                upstream.writeAndFlush(new DefaultHttp2ResetFrame(reset.errorCode()));
            }
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        done = true;
        call.end(ctx.channel(), route, target);
        if (target != null) {
            target.release();
            target = null;
        }
        cancelFirstByte();
        releasePending();
        if (upstream != null) {
            upstream.close(); // a RST_STREAM(CANCEL) if the target's stream is still open
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    /** The picked target failed to connect: its balancer's health hook hears it. */
    void targetFailed() {
        target.onFailure();
    }

    // ---- timers and failures

    void startFirstByte() {
        if (responseStarted || done) {
            return;
        }
        firstByte.start(ctx.executor(), route.timeouts().firstByteMs(), () -> {
            if (!done && !responseStarted) {
                fail(GrpcHeaders.DEADLINE_EXCEEDED, "the target did not answer in time");
            }
        });
    }

    void cancelFirstByte() {
        firstByte.cancel();
    }

    /**
     * The response head: the call is counted on its route (its duration is the time to this head; a stream
     * may run for hours after it). gRPC calls are POSTs.
     */
    void count(int httpStatus) {
        RouteMeter m = route != null ? route.meter() : metrics.unrouted();
        m.request(HttpMethod.POST, httpStatus, System.nanoTime() - startNanos, 0, 0);
        call.responseHead(httpStatus);
    }

    /** Ends the client's stream with a gRPC status if nothing was answered yet, else with a reset. */
    void fail(int grpcStatus, String message) {
        fail(grpcStatus, GrpcHeaders.httpEquivalent(grpcStatus), message);
    }

    /** As above; {@code httpStatus} is what the HTTP/1.1 path would answer, for the request counters. */
    private void fail(int grpcStatus, int httpStatus, String message) {
        done = true;
        cancelFirstByte();
        releasePending();
        if (upstream != null) {
            upstream.close();
        }
        if (responseStarted) {
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL));
            return;
        }
        responseStarted = true;
        count(httpStatus); // counted as the HTTP/1.1 path would
        Http2Headers answer = GrpcHeaders.trailersOnly(grpcStatus, message);
        call.trailers(answer);
        ctx.writeAndFlush(new DefaultHttp2HeadersFrame(answer, true))
                .addListener((ChannelFutureListener) w -> {
                    // A request still being sent is not wanted any more: a close resets the rest of it.
                    if (!requestEnded || !w.isSuccess()) {
                        w.channel().close();
                    }
                });
    }

    private void releasePending() {
        Http2StreamFrame f;
        while ((f = pending.poll()) != null) {
            ReferenceCountUtil.release(f);
        }
    }
}
