package io.edgeway.dataplane.relay;

import io.edgeway.dataplane.balancing.Target;
import io.edgeway.dataplane.balancing.Upstream;
import io.edgeway.dataplane.listener.DrainHandler;
import io.edgeway.dataplane.relay.FrontendHandler.State;
import io.edgeway.dataplane.routing.Route;
import io.edgeway.dataplane.status.Metrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;

/**
 * The relay of one request to a target and of its response back: upstream connection, body forwarding,
 * response framing, and its target-side {@link UpstreamTimers}. One instance per client connection,
 * reset for each request, so the hot path allocates no exchange object. Everything runs on the client's
 * event loop.
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
    boolean keepAlive;
    boolean requestDone;
    boolean responseStarted;
    /** The request is a WebSocket handshake: a 101 from the target turns the connection into a {@link Tunnel}. */
    boolean upgrade;
    /** The client takes the response as the target's bytes ({@link UpstreamDecoder}): HTTP/1.1 on both sides. */
    private boolean passAllowed;
    private static final AsciiString STRICT_TRANSPORT_SECURITY = AsciiString.cached("strict-transport-security");
    /** The route's Strict-Transport-Security value when this exchange runs over TLS, else null. */
    private AsciiString hsts;
    private boolean switching;
    private Route route;
    private BackendHandler backend;
    private final UpstreamTimers timers;
    private boolean bodySent;
    private boolean informational;
    private boolean upstreamKeepAlive;
    private boolean reused;
    private boolean retried;
    private final TargetLease lease = new TargetLease();
    /** A 503 being read and dropped before the request goes to the target the lease parked. */
    private boolean discarding;
    private boolean discardedKeepAlive;

    Exchange(FrontendHandler frontend, ChannelHandlerContext ctx, LoopResources loop, Metrics metrics) {
        this.frontend = frontend;
        this.ctx = ctx;
        this.loop = loop;
        this.metrics = metrics;
        this.timers = new UpstreamTimers(frontend, this, ctx);
    }

    void begin(HttpRequest req) {
        id++;
        request = req;
        keepAlive = HttpUtil.isKeepAlive(req);
        passAllowed = frontend.takesBytes() && HttpVersion.HTTP_1_1.equals(req.protocolVersion());
        requestDone = false;
        bodySent = false;
        responseStarted = false;
        informational = false;
        upgrade = false;
        switching = false;
        reused = false;
        retried = false;
        discarding = false;
    }

    /** Sends the (already rewritten) request to the chosen target, on a pooled connection if one is idle. */
    void start(Route route, Target target) {
        this.route = route;
        hsts = frontend.overTls() ? route.https().hsts() : null;
        if (hsts != null) {
            passAllowed = false; // the header goes into the head object: no byte relay of the head
        }
        lease.begin(route.upstream(), target);
        send();
    }

    private void send() {
        Channel pooled = loop.pool().poll(lease.target().poolKey());
        reused = pooled != null;
        if (pooled != null) {
            attach(pooled);
        } else {
            connect();
        }
    }

    void cancelTimers() {
        timers.cancelAll();
    }

    void end() {
        timers.cancel();
        request = null;
        route = null;
        releaseTarget();
        responseStarted = false;
    }

    boolean relaying() {
        return frontend.state() == State.PROXYING && backend != null;
    }

    private void connect() {
        frontend.state(State.CONNECTING);
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
        if (exchange != id || frontend.state() != State.CONNECTING) {
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

    private void attach(Channel ch) {
        backend = ch.pipeline().get(BackendHandler.class);
        backend.lease(this);
        backend.expect(request.method(), passAllowed);
        frontend.state(State.PROXYING);
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
        if (relaying() && !requestDone) {
            bodySent |= content.content().isReadable();
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
        if (last && frontend.state() == State.DISCARDING) {
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
        if (relaying()) {
            backend.channel().read();
        }
    }

    // ---- upstream side, called by BackendHandler on the same event loop

    void upstreamRead(Object msg) {
        if (frontend.state() != State.PROXYING) {
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
        } else if (discarding && msg instanceof HttpContent content) {
            boolean last = content instanceof LastHttpContent;
            content.release();
            if (last) {
                discarding = false;
                BackendHandler b = backend;
                backend = null;
                b.release(discardedKeepAlive);
                resendTo(lease.unpark());
            }
        } else if (msg instanceof HttpContent content) {
            if (content.decoderResult().isFailure()) {
                content.release();
                failUpstream("invalid response from the target");
                return;
            }
            boolean last = content instanceof LastHttpContent;
            if (informational) {
                informational = !last;
                if (last && switching) {
                    switchProtocols(content);
                    return;
                }
                ctx.write(content);
            } else if (last) {
                finishResponse(content);
            } else {
                ctx.write(content);
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onResponse(HttpResponse res) {
        int code = res.status().code();
        if (code == 101 && upgrade && requestDone && WebSocketUpgrade.accepted(res)) {
            // The head goes out now; the switch happens at its end, when the decoder is between messages.
            switching = true;
            informational = true;
            responseStarted = true;
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
        if (code < 200) {
            informational = true;
            HeaderRewriter.stripHopByHop(res.headers());
            ctx.write(res);
            return;
        }
        if (code == 503 && requestDone && retryable(false)) {
            // Overloaded or draining: an idempotent request without a body may go to another target, once.
            Target next = lease.reserveRetry(request.headers(), frontend.clientIp());
            if (next != null) {
                lease.targetFailed();
                // The first-byte timer stays armed: a 503 whose body stalls still ends, as a 504.
                discarding = true;
                discardedKeepAlive = HttpUtil.isKeepAlive(res);
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
        if (hsts != null) {
            res.headers().set(STRICT_TRANSPORT_SECURITY, hsts);
        }
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

    /** The target's final answer has begun: health hook, timers, the upstream connection's fate, metrics. */
    private void finalResponseStarts(int code, boolean upstreamKeepsAlive) {
        responseStarted = true;
        if (code >= 500) { // passive health
            lease.targetFailed();
        } else {
            lease.targetSucceeded();
        }
        timers.cancel();
        upstreamKeepAlive = upstreamKeepsAlive;
        metrics.response(code);
    }

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

    /** The end of the 101: from here on both connections only relay bytes. */
    private void switchProtocols(HttpContent last) {
        ctx.writeAndFlush(last, ctx.voidPromise());
        timers.cancel();
        BackendHandler b = backend;
        backend = null;
        b.lease(null);
        frontend.state(State.CLOSED);
        DrainHandler drain = ctx.pipeline().get(DrainHandler.class);
        Tunnel.open(ctx.channel(), b.channel(), metrics, drain != null && drain.closing());
    }

    void upstreamReadComplete() {
        ctx.flush();
        if (relaying()) {
            timers.upstreamRead(route.timeouts().idleMs());
            if (ctx.channel().isWritable()) {
                backend.channel().read();
            }
        }
    }

    void upstreamWritable() {
        if (frontend.state() == State.PROXYING && !requestDone) {
            ctx.read();
        }
    }

    void upstreamClosed(BackendHandler closed) {
        if (closed != backend) {
            return;
        }
        backend = null;
        if (discarding) { // closed while we dropped its 503: the retry is already granted
            discarding = false;
            resendTo(lease.unpark());
            return;
        }
        if (!responseStarted && reused && requestDone && !bodySent && !retried && replayable()) {
            // A pooled connection the target closed just as we reused it; the request had no body and
            // nothing came back, so sending it once more on a fresh connection is safe. This is the
            // connection's failure, not the target's: no health hook, no retry budget. A bodiless POST
            // is not resent (the target may have acted on it before closing) unless it carries an
            // idempotency key, as Go's http.Transport decides.
            retried = true;
            timers.cancel();
            reused = false;
            connect();
            return;
        }
        if (!responseStarted && lease.target() != null) {
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
        if (!responseStarted) {
            lease.targetFailed();
        }
        timers.cancel();
        dropBackend();
        if (!responseStarted) {
            frontend.local(HttpResponseStatus.BAD_GATEWAY, detail, false);
        } else {
            frontend.abort(); // part of the response is already out; only a close can tell the client
        }
    }

    // ---- the held target: given back in one place, failed over at most once (see TargetLease)

    void releaseTarget() {
        lease.release();
    }

    /** A first-byte timeout is the target's failure, for passive health. */
    void targetTimedOut() {
        lease.targetFailed();
    }

    /**
     * Whether this request may be sent once more: any request when nothing was sent (the connect failed),
     * otherwise only an idempotent one whose body (if any) has not been sent, and only once per request.
     */
    private boolean retryable(boolean nothingSent) {
        return lease.mayFailOver() && (nothingSent || (!bodySent && idempotent(request.method())));
    }

    private boolean replayable() {
        return idempotent(request.method()) || request.headers().contains("Idempotency-Key")
                || request.headers().contains("X-Idempotency-Key");
    }

    static boolean idempotent(HttpMethod m) {
        return m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS || m == HttpMethod.PUT
                || m == HttpMethod.DELETE || m == HttpMethod.TRACE;
    }

    /** One retry on another target, when the request is {@link #retryable} and the retry budget allows it. */
    private boolean retry(boolean nothingSent) {
        if (!retryable(nothingSent)) {
            return false;
        }
        Target next = lease.reserveRetry(request.headers(), frontend.clientIp());
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
        if (relaying()) { // a pooled connection took it: flush it now, as a client read batch would
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
