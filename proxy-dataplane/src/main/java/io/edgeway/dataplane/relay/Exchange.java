package io.edgeway.dataplane.relay;

import io.edgeway.dataplane.limits.RateVerdict;
import io.edgeway.dataplane.balancing.Endpoint;
import io.edgeway.dataplane.balancing.TargetGroup;
import io.edgeway.dataplane.compress.Algorithm;
import io.edgeway.dataplane.routing.RouteRule;
import io.edgeway.dataplane.status.Metrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.Future;

/**
 * The life of one request, as the state machine of {@link Phase} (its comment lists the states and the legal
 * moves): route, pick a target, connect, relay, finish. Here: the transitions the client and the connects
 * drive, the upstream connection, body forwarding, failures, and the target-side {@link UpstreamTimers}.
 * {@link TargetResponse} reads the target's answer and drives the transitions it causes; {@link Retries}
 * decides the second tries. Each state change is an assignment of {@link #phase} in the method named for
 * what happens. One instance per client connection, reset for each request, so the hot path allocates no
 * exchange object. Everything runs on the client's event loop.
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
        send();
    }

    /** The route matched: its meter counts the request, whoever answers it. */
    void routed(RouteRule route) {
        this.route = route;
    }

    /** To the lease's target, on a pooled connection if one is idle. */
    private void send() {
        measured.attempts++;
        Channel pooled = loop.pool().poll(lease.target().poolKey());
        retries.sending(pooled != null);
        if (pooled != null) {
            attach(pooled);
        } else {
            connect();
        }
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

    /** → CONNECTING: a new connection (or h2c stream) to the lease's target. */
    private void connect() {
        phase = Phase.CONNECTING;
        measured.connecting();
        long exchange = id;
        Endpoint target = lease.target();
        if (route.upstream().protocol() == TargetGroup.Protocol.H2C) { // a stream on the loop's shared connection
            loop.openStream(target, route.timeouts().connectMs())
                    .addListener((Future<Channel> f) -> connected(exchange, f.isSuccess() ? f.getNow() : null));
            return;
        }
        loop.connect(target, route.timeouts().connectMs())
                .addListener((ChannelFuture f) -> connected(exchange, f.isSuccess() ? f.channel() : null));
    }

    /** {@code ch} is the new connection or h2c stream, null when it could not be opened. */
    private void connected(long exchange, Channel ch) {
        if (exchange != id || phase != Phase.CONNECTING) {
            if (ch != null) {
                ch.close();
            }
            return;
        }
        if (ch == null) {
            lease.targetFailed();
            if (retry(true)) {
                return;
            }
            frontend.local(HttpResponseStatus.BAD_GATEWAY, "could not connect to the target", false);
        } else {
            measured.connected(route);
            attach(ch);
        }
        frontend.drainPending();
    }

    /** → AWAITING_RESPONSE: the request goes out on {@code ch}. */
    private void attach(Channel ch) {
        backend = ch.pipeline().get(BackendHandler.class);
        backend.lease(this);
        // The client takes the response as the target's bytes (UpstreamDecoder) only with HTTP/1.1 on both sides,
        // and not with HSTS to add, for a cached route (the cache reads the head and copies the body), or for a route
        // that edits or compresses responses: those work on the head object.
        boolean bytesToClient = hsts == null && !cache.active()
                && (route.actions() == null || !route.actions().editsResponse()) && frontend.takesBytes()
                && HttpVersion.HTTP_1_1.equals(request.protocolVersion());
        backend.expect(request.method(), bytesToClient);
        phase = Phase.AWAITING_RESPONSE;
        measured.sent();
        // Void promises toward the target: nothing waits on these writes, and a failed one surfaces as an
        // exception that closes the connection, which the exchange hears about in upstreamClosed.
        backend.forwarded(request, forwarded);
        ch.write(request, ch.voidPromise());
        if (requestDone) { // a retry: the original request had no body
            ch.write(LastHttpContent.EMPTY_LAST_CONTENT, ch.voidPromise());
            timers.startFirstByte(route.timeouts().firstByteMs());
        }
        ch.read();
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
        if (phase == Phase.DROPPING_503) { // closed while we dropped its 503: the retry is already granted
            resendTo(lease.unpark());
            return;
        }
        if (!responseStarted() && retries.claimReplay(request, requestDone)) {
            // A pooled connection the target closed just as we reused it, and nothing came back: → CONNECTING,
            // the same request once more on a fresh connection.
            timers.cancel();
            measured.attempts++;
            connect();
            return;
        }
        if (!responseStarted() && lease.target() != null) {
            // Reset or closed before any response byte: the target's failure; a safe request goes elsewhere.
            lease.targetFailed();
            timers.cancel();
            if (retry(false)) {
                return;
            }
            frontend.local(HttpResponseStatus.BAD_GATEWAY,
                    "the target closed the connection before the response was complete", false);
            return;
        }
        failUpstream("the target closed the connection before the response was complete");
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

    /** One fail-over to another target (→ CONNECTING or AWAITING_RESPONSE), when {@link Retries} allows it. */
    private boolean retry(boolean nothingSent) {
        Endpoint next = retries.failOverTarget(request, frontend.clientIp(), nothingSent);
        if (next == null) {
            return false;
        }
        resendTo(next);
        return true;
    }

    /** → CONNECTING or AWAITING_RESPONSE: the request goes to {@code next}, a target reserved for its one fail-over. */
    void resendTo(Endpoint next) {
        timers.cancel();
        lease.switchTo(next);
        send();
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
