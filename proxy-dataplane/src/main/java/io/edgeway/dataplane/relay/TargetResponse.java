package io.edgeway.dataplane.relay;

import io.edgeway.dataplane.limits.RateLimitHeaders;
import io.edgeway.dataplane.balancing.Endpoint;
import io.edgeway.dataplane.compress.BodyEncoder;
import io.edgeway.dataplane.rewrite.RouteActions;
import io.edgeway.dataplane.listener.DrainHandler;
import io.edgeway.dataplane.status.Metrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;

/**
 * The target's answer to an {@link Exchange}'s request, read message by message and relayed to the client,
 * with the transitions it drives: AWAITING_RESPONSE → INFORMATIONAL, SWITCHING, DROPPING_503 or RELAYING, and
 * the end of each (see {@link Phase}). Failures and second tries are the Exchange's. One per client
 * connection, like the Exchange; everything runs on the client's event loop.
 */
final class TargetResponse {
    private static final AsciiString STRICT_TRANSPORT_SECURITY = AsciiString.cached("strict-transport-security");
    private final Exchange exchange;
    private final ChannelHandlerContext ctx;
    private final Metrics metrics;
    /** The target keeps the connection open after the response it is sending (final, or a 503 being dropped). */
    private boolean upstreamKeepAlive;
    /** Compresses the body of the response being relayed (a route's compression, issue 17); null: it passes as is. */
    private BodyEncoder encoder;

    TargetResponse(Exchange exchange, ChannelHandlerContext ctx, Metrics metrics) {
        this.exchange = exchange;
        this.ctx = ctx;
        this.metrics = metrics;
    }

    void read(Object msg) {
        if (!exchange.phase.onTarget()) {
            ReferenceCountUtil.release(msg);
        } else if (msg instanceof PassBody body) {
            exchange.measured.bodyOut += body.content().readableBytes();
            if (body.last()) {
                finishResponse(body);
            } else {
                ctx.write(body, ctx.voidPromise());
            }
        } else if (msg instanceof PassHead head) {
            onPassHead(head);
        } else if (msg instanceof HttpResponse res) {
            onResponse(res);
        } else if (msg instanceof HttpContent content) {
            onContent(content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (exchange.phase == Phase.DROPPING_503) {
            content.release();
            if (last) { // DROPPING_503 → CONNECTING or AWAITING_RESPONSE, on the parked target
                BackendHandler b = exchange.takeBackend();
                b.release(upstreamKeepAlive);
                exchange.resendTo(exchange.lease.unpark());
            }
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            exchange.failUpstream("invalid response from the target");
            return;
        }
        if (exchange.cache.replacement != null && exchange.phase == Phase.RELAYING) {
            content.release(); // the target's body is dropped; the cache's answer goes out at its end
            if (last) {
                FullHttpResponse instead = exchange.cache.replacement;
                exchange.cache.replacement = null;
                finishResponse(instead);
            }
            return;
        }
        if (exchange.phase == Phase.RELAYING) {
            exchange.measured.bodyOut += content.content().readableBytes();
            if (encoder != null) {
                content = encoder.encode(content);
            }
            // A cached route stores what the client gets: compressed (with Vary: Accept-Encoding) when compression is on.
            exchange.cache.body(content.content());
        }
        if (!last) {
            ctx.write(content);
        } else if (exchange.phase == Phase.SWITCHING) {
            switchProtocols(content);
        } else if (exchange.phase == Phase.INFORMATIONAL) {
            exchange.phase = Phase.AWAITING_RESPONSE; // INFORMATIONAL → AWAITING_RESPONSE: the final answer comes next
            ctx.write(content);
        } else {
            finishResponse(content);
        }
    }

    private void onResponse(HttpResponse res) {
        int code = res.status().code();
        if (code == 101 && exchange.upgrade && exchange.requestDone && WebSocketUpgrade.accepted(res)) {
            // → SWITCHING. The head goes out now; the switch happens at its end, when the decoder is between
            // messages.
            exchange.phase = Phase.SWITCHING;
            exchange.timers.cancel();
            exchange.responseHead(code);
            WebSocketUpgrade.rewriteResponse(res);
            ctx.write(res);
            return;
        }
        if (res.decoderResult().isFailure() || code == 101) {
            ReferenceCountUtil.release(res);
            exchange.failUpstream(code == 101 ? "the target switched protocols" : "invalid response from the target");
            return;
        }
        if (code < 200) { // → INFORMATIONAL
            exchange.phase = Phase.INFORMATIONAL;
            HeaderRewriter.stripHopByHop(res.headers());
            ctx.write(res);
            return;
        }
        if (code == 503 && exchange.requestDone) {
            // Overloaded or draining: an idempotent request without a body may go to another target, once.
            Endpoint next = exchange.retries.failOverTarget(exchange.request, exchange.frontend.clientIp(), false);
            if (next != null) { // → DROPPING_503
                exchange.lease.targetFailed();
                // The first-byte timer stays armed: a 503 whose body stalls still ends, as a 504.
                exchange.phase = Phase.DROPPING_503;
                upstreamKeepAlive = HttpUtil.isKeepAlive(res);
                exchange.lease.park(next);
                ReferenceCountUtil.release(res);
                return;
            }
        }
        String framing = HeaderRewriter.responseFramingError(res.headers());
        if (framing != null) {
            ReferenceCountUtil.release(res);
            // and the connection is not pooled: where its next response starts is unknown
            exchange.failUpstream(framing);
            return;
        }
        FullHttpResponse instead = exchange.cache.targetHead(res);
        finalResponseStarts(code, HttpUtil.isKeepAlive(res));
        if (instead != null) { // a 304 refreshed the stored copy, or stale-if-error hides a 5xx
            ReferenceCountUtil.release(res);
            exchange.cache.replacement = instead;
            return;
        }
        RouteActions actions = exchange.route.actions();
        if (actions != null) { // before the framing below: compression drops Content-Length
            encoder = actions.onResponse(res, exchange.accepted, exchange.request, ctx.alloc());
        }
        exchange.keepAlive = HeaderRewriter.response(res, exchange.request, exchange.keepAlive);
        exchange.cache.relayedHead(res);
        if (exchange.hsts != null) {
            res.headers().set(STRICT_TRANSPORT_SECURITY, exchange.hsts);
        }
        if (exchange.rate.spec() != null) {
            RateLimitHeaders.set(res.headers(), exchange.rate);
        }
        if (res instanceof HttpContent) { // not produced by HttpClientCodec, but stay safe
            read(res);
            return;
        }
        ctx.write(res);
    }

    /** A final response relayed as bytes: the same bookkeeping as {@link #onResponse}, without a head to rewrite. */
    private void onPassHead(PassHead head) {
        finalResponseStarts(head.status(), !head.upstreamCloses());
        if (!exchange.keepAlive) {
            head.closeConnection();
        }
        if (exchange.rate.spec() != null) {
            RateLimitHeaders.write(head.content(), exchange.rate);
        }
        ctx.write(head, ctx.voidPromise());
    }

    /** → RELAYING: the target's final answer has begun. Health hook, timers, the upstream connection, metrics. */
    private void finalResponseStarts(int code, boolean upstreamKeepsAlive) {
        exchange.phase = Phase.RELAYING;
        if (code >= 500) { // passive health
            exchange.lease.targetFailed();
        } else {
            exchange.lease.targetSucceeded();
        }
        exchange.timers.cancel();
        upstreamKeepAlive = upstreamKeepsAlive;
        exchange.responseHead(code);
    }

    /** RELAYING → IDLE or CLOSED ({@link FrontendHandler#endExchange}): the response went out in full. */
    private void finishResponse(Object last) {
        ctx.writeAndFlush(last, ctx.voidPromise());
        closeEncoder();
        exchange.cache.complete();
        exchange.timers.cancel();
        BackendHandler b = exchange.takeBackend();
        b.release(upstreamKeepAlive && exchange.requestDone);
        if (!exchange.requestDone) {
            exchange.keepAlive = false; // the rest of the request body would have to be read and dropped
        }
        exchange.frontend.endExchange();
    }

    /** SWITCHING → CLOSED: the end of the 101; from here on both connections only relay bytes ({@link Tunnel}). */
    private void switchProtocols(HttpContent last) {
        ctx.writeAndFlush(last, ctx.voidPromise());
        exchange.timers.cancel();
        BackendHandler b = exchange.takeBackend();
        b.lease(null);
        exchange.record(); // the exchange ends here; the tunnel's bytes are not a request
        exchange.phase = Phase.CLOSED;
        DrainHandler drain = ctx.pipeline().get(DrainHandler.class);
        Tunnel.open(ctx.channel(), b.channel(), metrics, drain != null && drain.closing());
    }

    /** Frees the body encoder's native state, once, however the response ended. */
    void closeEncoder() {
        if (encoder != null) {
            encoder.close();
            encoder = null;
        }
    }

    void readComplete() {
        ctx.flush();
        if (exchange.attached()) {
            exchange.timers.upstreamRead(exchange.route.timeouts().idleMs());
            if (ctx.channel().isWritable()) {
                exchange.backend.channel().read();
            }
        }
    }

    void writable() {
        if (exchange.phase.onTarget() && !exchange.requestDone) {
            ctx.read();
        }
    }
}
