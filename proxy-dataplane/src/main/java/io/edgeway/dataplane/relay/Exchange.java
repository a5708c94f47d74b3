package io.edgeway.dataplane.relay;

import io.edgeway.dataplane.limits.RateVerdict;
import io.edgeway.dataplane.balancing.Endpoint;
import io.edgeway.dataplane.compress.Algorithm;
import io.edgeway.dataplane.routing.RouteRule;
import io.edgeway.dataplane.status.Metrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;

/**
 * The life of one request, as the state machine of {@link Phase} (its comment lists the states and the legal
 * moves): route, pick a target, connect, relay, finish. Here: the transitions the client drives, body
 * forwarding, failures, and the target-side {@link UpstreamTimers}. {@link TargetAttempts} puts the request on
 * a target connection (pooled or new) and fails over; {@link TargetResponse} reads the target's answer and
 * drives the transitions it causes; {@link Retries} decides the second tries. Each state change is an
 * assignment of {@link #phase} in the method named for what happens. One instance per client connection, reset
 * for each request, so the hot path allocates no exchange object. Everything runs on the client's event loop.
 */
final class Exchange {
    final FrontendHandler frontend;
    private final LoopResources loop;
    private final ChannelHandlerContext ctx;

    /** Ties late callbacks (connects, timers) to the request that started them. */
    long id;
    HttpRequest request;
    /** The X-Forwarded-* values for {@link #request}, set by {@link HeaderRewriter#request}. */
    final ForwardedFields forwarded = new ForwardedFields();
    /** Assigned only in the methods named for a transition, here and in {@link TargetResponse}. */
    Phase phase = Phase.IDLE;
    boolean keepAlive;
    /** The client's side: the request has been read in full (the response may start before it is). */
    boolean requestDone;
    /** The request is a WebSocket handshake: a 101 from the target turns the connection into a {@link Tunnel}. */
    boolean upgrade;
    /** The route's Strict-Transport-Security value when this exchange runs over TLS, else null. */
    AsciiString hsts;
    RouteRule route;
    /** The coding the client accepts for the route's compression (issue 17), or null: identity. */
    Algorithm accepted;
    /** The target connection the request is on; null while connecting and between requests. */
    BackendHandler backend;
    final UpstreamTimers timers;
    final TargetLease lease = new TargetLease();
    final Retries retries = new Retries(lease);
    private final TargetResponse response;
    /** The route's response cache, when it has one (see {@link CacheStep}). */
    final CacheStep cache;
    /** This request's rate limit verdict: its headers go on the answer (spec null: the route has no limit). */
    final RateVerdict rate = new RateVerdict();
    /** The route's max_body_bytes while the request is forwarded; 0: no limit. */
    long maxBody;
    /** This request's timings and sizes, counted when it ends. */
    final Measurements measured;

    Exchange(FrontendHandler frontend, ChannelHandlerContext ctx, LoopResources loop, Metrics metrics) {
        this.frontend = frontend;
        this.ctx = ctx;
        this.loop = loop;
        this.timers = new UpstreamTimers(frontend, this, ctx);
        this.response = new TargetResponse(this, ctx, metrics);
        this.cache = new CacheStep(this, ctx);
        this.measured = new Measurements(this, metrics);
    }

    LoopResources loop() {
        return loop;
    }

    Phase phase() {
        return phase;
    }

    boolean responseStarted() {
        return phase.responseStarted();
    }

    /** IDLE → ROUTING: a request head arrived. */
    void begin(HttpRequest req) {
        id++;
        cache.end();
        request = req;
        keepAlive = HttpUtil.isKeepAlive(req);
        requestDone = false;
        upgrade = false;
        route = null;
        accepted = null;
        retries.begin();
        rate.clear();
        maxBody = 0;
        measured.begin();
        phase = Phase.ROUTING;
    }

    /** ROUTING → CONNECTING or AWAITING_RESPONSE: the (already rewritten) request goes to the picked target. */
    void start(RouteRule route, Endpoint target) {
        routed(route);
        hsts = frontend.overTls() ? route.https().hsts() : null;
        lease.begin(route.upstream(), target);
        TargetAttempts.send(this);
    }

    /** The route matched: its meter counts the request, whoever answers it. */
    void routed(RouteRule route) {
        this.route = route;
    }

    void cancelTimers() {
        timers.cancelAll();
    }

    /** → IDLE when the client keeps the connection (returns true), else → CLOSED: the request is over. */
    boolean finish() {
        measured.record();
        timers.cancel();
        cache.end();
        request = null;
        route = null;
        releaseTarget();
        phase = keepAlive ? Phase.IDLE : Phase.CLOSED;
        return keepAlive;
    }

    /** → DISCARDING, or CLOSED when the connection closes after it: the proxy answers the request itself. */
    void answeredLocally(int status, boolean close) {
        measured.status = status;
        measured.local = true;
        phase = close ? Phase.CLOSED : Phase.DISCARDING;
        if (close) {
            measured.record();
        }
    }

    /** The target's final head is on its way to the client (→ RELAYING or SWITCHING). */
    void responseHead(int code) {
        measured.responseHead(route, code);
    }

    /** The request is over, however it ended: counted once (see {@link Measurements#record}). */
    void record() {
        measured.record();
    }

    /** → CLOSED, from any state: the connection is gone or given up; everything the request holds is let go. */
    void abandon() {
        if (request != null) {
            measured.record();
        }
        phase = Phase.CLOSED;
        cache.end();
        timers.cancelAll();
        response.closeEncoder();
        dropBackend();
        releaseTarget();
    }

    /** The request is on a target connection that is still open. */
    boolean attached() {
        return phase.onTarget() && backend != null;
    }

    /** A piece of the request body; released here when there is no one to take it. */
    void requestContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        measured.bodyIn += content.content().readableBytes();
        if (maxBody > 0 && measured.bodyIn > maxBody) { // a chunked body outgrew the route's limit: never forward it whole
            content.release();
            frontend.bodyTooLarge();
            return;
        }
        if (attached() && !requestDone) {
            retries.bodyBytes(content.content().isReadable());
            if (last && !((LastHttpContent) content).trailingHeaders().isEmpty()) {
                HeaderRewriter.requestTrailers(((LastHttpContent) content).trailingHeaders());
            }
            backend.channel().write(content, backend.channel().voidPromise());
            if (last) {
                requestDone = true;
                timers.startFirstByte(route.timeouts().firstByteMs());
            }
            return;
        }
        content.release();
        if (last && phase == Phase.DISCARDING) {
            requestDone = true;
            frontend.endExchange();
        }
    }

    /**
     * End of a client read batch: one flush toward the target, then read on while it keeps up. Once the
     * request is complete, read on as well: the next bytes are a pipelined request (queued, and reading
     * stops there) or the client's EOF. Keeping the read armed spares the epoll_ctl calls that disarming
     * it here and re-arming it after the response cost on every request.
     */
    void flushUpstream() {
        backend.channel().flush();
        if (requestDone ? !frontend.hasPending() : backend.channel().isWritable()) {
            ctx.read();
        }
    }

    void clientWritable() {
        if (attached()) {
            backend.channel().read();
        }
    }

    // ---- the target's side, called by BackendHandler on the same event loop; its answer is read in TargetResponse

    void upstreamRead(Object msg) {
        response.read(msg);
    }

    void upstreamReadComplete() {
        response.readComplete();
    }

    void upstreamWritable() {
        response.writable();
    }

    void upstreamClosed(BackendHandler closed) {
        if (closed != backend) {
            return;
        }
        backend = null;
        TargetAttempts.closed(this);
    }

    void failUpstream(String detail) {
        if (!responseStarted()) {
            lease.targetFailed();
        }
        timers.cancel();
        dropBackend();
        if (!responseStarted()) {
            frontend.local(HttpResponseStatus.BAD_GATEWAY, detail, false);
        } else {
            frontend.abort(); // part of the response is already out; only a close can tell the client
        }
    }

    // ---- the held target: given back in one place, failed over at most once (see TargetLease)

    private void releaseTarget() {
        lease.release();
    }

    /** A first-byte timeout is the target's failure, for passive health. */
    void targetTimedOut() {
        lease.targetFailed();
    }

    /** → CONNECTING or AWAITING_RESPONSE: the request goes to {@code next}, a target reserved for its one fail-over. */
    void resendTo(Endpoint next) {
        timers.cancel();
        lease.switchTo(next);
        TargetAttempts.send(this);
        if (attached()) { // a pooled connection took it: flush it now, as a client read batch would
            frontend.drainPending();
        }
    }

    /** The target connection, which the request no longer holds: the caller pools, closes or tunnels it. */
    BackendHandler takeBackend() {
        BackendHandler b = backend;
        backend = null;
        return b;
    }

    void dropBackend() {
        if (backend != null) {
            backend.abandon();
            backend = null;
        }
    }
}
