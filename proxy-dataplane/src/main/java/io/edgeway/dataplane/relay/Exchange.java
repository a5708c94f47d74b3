package io.edgeway.dataplane.relay;

import io.edgeway.dataplane.balancing.Target;
import io.edgeway.dataplane.balancing.Upstream;
import io.edgeway.dataplane.listener.DrainHandler;
import io.edgeway.dataplane.routing.Route;
import io.edgeway.dataplane.status.Metrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;

/**
 * The life of one request, as the state machine of {@link Phase} (its comment lists the states and the legal
 * moves): route, pick a target, connect, relay, finish. Here: the upstream connection, body forwarding,
 * response framing, and the target-side {@link UpstreamTimers}; {@link Retries} decides the second tries.
 * Each state change is an assignment of {@link #phase} in the method named for what happens. One instance
 * per client connection, reset for each request, so the hot path allocates no exchange object. Everything
 * runs on the client's event loop.
 */
final class Exchange {
    private final FrontendHandler frontend;
    private final LoopResources loop;
    private final Metrics metrics;
    private final ChannelHandlerContext ctx;

    /** Ties late callbacks (connects, timers) to the request that started them. */
    long id;
    HttpRequest request;
    /** The X-Forwarded-* values for {@link #request}, set by {@link HeaderRewriter#request}. */
    final ForwardedFields forwarded = new ForwardedFields();
    private Phase phase = Phase.IDLE;
    boolean keepAlive;
    /** The client's side: the request has been read in full (the response may start before it is). */
    boolean requestDone;
    /** The request is a WebSocket handshake: a 101 from the target turns the connection into a {@link Tunnel}. */
    boolean upgrade;
    /** The target keeps the connection open after the response it is sending (final, or a 503 being dropped). */
    private boolean upstreamKeepAlive;
    private Route route;
    private BackendHandler backend;
    private final UpstreamTimers timers;
    private final TargetLease lease = new TargetLease();
    private final Retries retries = new Retries(lease);

    Exchange(FrontendHandler frontend, ChannelHandlerContext ctx, LoopResources loop, Metrics metrics) {
        this.frontend = frontend;
        this.ctx = ctx;
        this.loop = loop;
        this.metrics = metrics;
        this.timers = new UpstreamTimers(frontend, this, ctx);
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
        request = req;
        keepAlive = HttpUtil.isKeepAlive(req);
        requestDone = false;
        upgrade = false;
        retries.begin();
        phase = Phase.ROUTING;
    }

    /** ROUTING → CONNECTING or AWAITING_RESPONSE: the (already rewritten) request goes to the picked target. */
    void start(Route route, Target target) {
        this.route = route;
        lease.begin(route.upstream(), target);
        send();
    }

    /** To the lease's target, on a pooled connection if one is idle. */
    private void send() {
        Channel pooled = loop.pool().poll(lease.target().address());
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

    /** → IDLE when the client keeps the connection, else → CLOSED: the request is over. Returns whether it keeps it. */
    boolean finish() {
        timers.cancel();
        request = null;
        route = null;
        releaseTarget();
        phase = keepAlive ? Phase.IDLE : Phase.CLOSED;
        return keepAlive;
    }

    /** → DISCARDING, or CLOSED when the connection closes after it: the proxy answers the request itself. */
    void answeredLocally(boolean close) {
        phase = close ? Phase.CLOSED : Phase.DISCARDING;
    }

    /** → CLOSED, from any state: the connection is gone or given up; everything the request holds is let go. */
    void abandon() {
        phase = Phase.CLOSED;
        timers.cancelAll();
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
        long exchange = id;
        Target target = lease.target();
        if (route.upstream().protocol() == Upstream.Protocol.H2C) { // a stream on the loop's shared connection
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
            attach(ch);
        }
        frontend.drainPending();
    }

    /** → AWAITING_RESPONSE: the request goes out on {@code ch}. */
    private void attach(Channel ch) {
        backend = ch.pipeline().get(BackendHandler.class);
        backend.lease(this);
        // The client takes the response as the target's bytes (UpstreamDecoder) only with HTTP/1.1 on both sides.
        backend.expect(request.method(), frontend.takesBytes() && HttpVersion.HTTP_1_1.equals(request.protocolVersion()));
        phase = Phase.AWAITING_RESPONSE;
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

    // ---- upstream side, called by BackendHandler on the same event loop

    void upstreamRead(Object msg) {
        if (!phase.onTarget()) {
            ReferenceCountUtil.release(msg);
        } else if (msg instanceof PassBody body) {
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
        if (phase == Phase.DROPPING_503) {
            content.release();
            if (last) { // DROPPING_503 → CONNECTING or AWAITING_RESPONSE, on the parked target
                BackendHandler b = backend;
                backend = null;
                b.release(upstreamKeepAlive);
                resendTo(lease.unpark());
            }
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            failUpstream("invalid response from the target");
        } else if (!last) {
            ctx.write(content);
        } else if (phase == Phase.SWITCHING) {
            switchProtocols(content);
        } else if (phase == Phase.INFORMATIONAL) {
            phase = Phase.AWAITING_RESPONSE; // INFORMATIONAL → AWAITING_RESPONSE: the final answer comes next
            ctx.write(content);
        } else {
            finishResponse(content);
        }
    }

    private void onResponse(HttpResponse res) {
        int code = res.status().code();
        if (code == 101 && upgrade && requestDone && WebSocketUpgrade.accepted(res)) {
            // → SWITCHING. The head goes out now; the switch happens at its end, when the decoder is between messages.
            phase = Phase.SWITCHING;
            timers.cancel();
            metrics.response(code);
            WebSocketUpgrade.rewriteResponse(res);
            ctx.write(res);
            return;
        }
        if (res.decoderResult().isFailure() || code == 101) {
            ReferenceCountUtil.release(res);
            failUpstream(code == 101 ? "the target switched protocols" : "invalid response from the target");
            return;
        }
        if (code < 200) { // → INFORMATIONAL
            phase = Phase.INFORMATIONAL;
            HeaderRewriter.stripHopByHop(res.headers());
            ctx.write(res);
            return;
        }
        if (code == 503 && requestDone) {
            // Overloaded or draining: an idempotent request without a body may go to another target, once.
            Target next = retries.failOverTarget(request, frontend.clientIp(), false);
            if (next != null) { // → DROPPING_503
                lease.targetFailed();
                // The first-byte timer stays armed: a 503 whose body stalls still ends, as a 504.
                phase = Phase.DROPPING_503;
                upstreamKeepAlive = HttpUtil.isKeepAlive(res);
                lease.park(next);
                ReferenceCountUtil.release(res);
                return;
            }
        }
        String framing = HeaderRewriter.responseFramingError(res.headers());
        if (framing != null) {
            ReferenceCountUtil.release(res);
            failUpstream(framing); // and the connection is not pooled: where its next response starts is unknown
            return;
        }
        finalResponseStarts(code, HttpUtil.isKeepAlive(res));
        keepAlive = HeaderRewriter.response(res, request, keepAlive);
        if (res instanceof HttpContent) { // not produced by HttpClientCodec, but stay safe
            upstreamRead(res);
            return;
        }
        ctx.write(res);
    }

    /** A final response relayed as bytes: the same bookkeeping as {@link #onResponse}, without a head to rewrite. */
    private void onPassHead(PassHead head) {
        finalResponseStarts(head.status(), !head.upstreamCloses());
        if (!keepAlive) {
            head.closeConnection();
        }
        ctx.write(head, ctx.voidPromise());
    }

    /** → RELAYING: the target's final answer has begun. Health hook, timers, the upstream connection's fate, metrics. */
    private void finalResponseStarts(int code, boolean upstreamKeepsAlive) {
        phase = Phase.RELAYING;
        if (code >= 500) { // passive health
            lease.targetFailed();
        } else {
            lease.targetSucceeded();
        }
        timers.cancel();
        upstreamKeepAlive = upstreamKeepsAlive;
        metrics.response(code);
    }

    /** RELAYING → IDLE or CLOSED ({@link FrontendHandler#endExchange}): the response went out in full. */
    private void finishResponse(Object last) {
        ctx.writeAndFlush(last, ctx.voidPromise());
        timers.cancel();
        BackendHandler b = backend;
        backend = null;
        b.release(upstreamKeepAlive && requestDone);
        if (!requestDone) {
            keepAlive = false; // the rest of the request body would have to be read and dropped
        }
        frontend.endExchange();
    }

    /** SWITCHING → CLOSED: the end of the 101; from here on both connections only relay bytes, in a {@link Tunnel}. */
    private void switchProtocols(HttpContent last) {
        ctx.writeAndFlush(last, ctx.voidPromise());
        timers.cancel();
        BackendHandler b = backend;
        backend = null;
        b.lease(null);
        phase = Phase.CLOSED;
        DrainHandler drain = ctx.pipeline().get(DrainHandler.class);
        Tunnel.open(ctx.channel(), b.channel(), metrics, drain != null && drain.closing());
    }

    void upstreamReadComplete() {
        ctx.flush();
        if (attached()) {
            timers.upstreamRead(route.timeouts().idleMs());
            if (ctx.channel().isWritable()) {
                backend.channel().read();
            }
        }
    }

    void upstreamWritable() {
        if (phase.onTarget() && !requestDone) {
            ctx.read();
        }
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

    private void failUpstream(String detail) {
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
        Target next = retries.failOverTarget(request, frontend.clientIp(), nothingSent);
        if (next == null) {
            return false;
        }
        resendTo(next);
        return true;
    }

    private void resendTo(Target next) {
        timers.cancel();
        lease.switchTo(next);
        send();
        if (attached()) { // a pooled connection took it: flush it now, as a client read batch would
            frontend.drainPending();
        }
    }

    void dropBackend() {
        if (backend != null) {
            backend.abandon();
            backend = null;
        }
    }
}
