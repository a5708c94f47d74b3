package io.edgeway.dataplane.netty;

import io.edgeway.dataplane.balancing.Target;
import io.edgeway.dataplane.config.ConfigHolder;
import io.edgeway.dataplane.routing.Route;
import io.edgeway.dataplane.routing.RouteTable;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One per client connection: reads a request, picks a route and target, relays the request to a pooled
 * upstream connection on the same event loop and the response back, one exchange at a time (pipelined
 * requests wait in {@link #pending}). AUTO_READ is off: each side is read only while the other is
 * writable, and writes are flushed once per read batch.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {
    enum State { IDLE, DISCARDING, CONNECTING, PROXYING, CLOSED }

    /** Every timeout ends here and becomes a status (or a plain close) in {@link #timedOut}. */
    enum Timeout { CLIENT_IDLE, CLIENT_REQUEST, FIRST_BYTE, UPSTREAM_IDLE }

    private final ConfigHolder configs;
    private final LoopResources loop;
    private final Metrics metrics;
    private final ArrayDeque<Object> pending = new ArrayDeque<>(4);
    private ChannelHandlerContext ctx;
    private String clientIp = "";
    private State state = State.IDLE;
    private boolean draining;

    // The current exchange.
    private long exchangeId;
    private HttpRequest request;
    private Route route;
    private Target target;
    private BackendHandler backend;
    private ScheduledFuture<?> firstByteTimer;
    private ScheduledFuture<?> idleTimer;
    private long lastUpstreamNanos;
    private boolean keepAlive;
    private boolean requestDone;
    private boolean bodySent;
    private boolean responseStarted;
    private boolean informational;
    private boolean upstreamKeepAlive;
    private boolean reused;
    private boolean retried;
    private boolean failedOver;

    FrontendHandler(ConfigHolder configs, LoopResources loop, Metrics metrics) {
        this.configs = configs;
        this.loop = loop;
        this.metrics = metrics;
    }

    State state() {
        return state;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        SocketAddress remote = ctx.channel().remoteAddress();
        if (remote instanceof InetSocketAddress isa && isa.getAddress() != null) {
            clientIp = isa.getAddress().getHostAddress();
        }
        metrics.clientConnections.increment();
        ctx.read();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        metrics.clientConnections.decrement();
        state = State.CLOSED;
        releaseTarget();
        cancelTimer();
        releasePending();
        if (backend != null) {
            backend.abandon();
            backend = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.CLOSED) {
            ReferenceCountUtil.release(msg);
        } else if (!pending.isEmpty() || mustWait(msg)) {
            pending.add(msg);
        } else {
            handle(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        afterBatch();
    }

    /** Messages that belong to a later step: the body while connecting, or a pipelined request. */
    private boolean mustWait(Object msg) {
        return switch (state) {
            case CONNECTING -> true;
            case PROXYING -> requestDone;
            case DISCARDING -> msg instanceof HttpRequest;
            default -> false;
        };
    }

    private void handle(Object msg) {
        if (msg instanceof HttpRequest req) {
            onRequest(req);
        } else if (msg instanceof HttpContent content) {
            onContent(content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onRequest(HttpRequest req) {
        exchangeId++;
        requestDone = false;
        bodySent = false;
        responseStarted = false;
        informational = false;
        reused = false;
        retried = false;
        failedOver = false;
        request = req;
        keepAlive = HttpUtil.isKeepAlive(req);
        String reason = Http.rejectReason(req);
        if (reason == null && HttpMethod.CONNECT.equals(req.method())) {
            reason = "CONNECT is not supported";
        }
        if (reason != null) {
            metrics.badRequests.increment();
            ReferenceCountUtil.release(req); // a failed decode may carry content
            local(HttpResponseStatus.BAD_REQUEST, reason, true);
            return;
        }
        HttpHeaders h = req.headers();
        String host = h.get(HttpHeaderNames.HOST);
        // One volatile read per request; everything below uses this snapshot of the config.
        route = configs.get().routes().match(RouteTable.normalizeHost(host), req.uri(), req.method().name());
        if (route == null) {
            local(HttpResponseStatus.NOT_FOUND, "no route matches this host and path", false);
            return;
        }
        target = route.upstream().pick(h, clientIp); // balancing hook: counted in flight until releaseTarget()
        if (target == null) {
            local(HttpResponseStatus.SERVICE_UNAVAILABLE, "no enabled target for this route", false);
            return;
        }
        prepareUpstreamRequest(req, h, host);
        Channel pooled = loop.pool().poll(target.address());
        if (pooled != null) {
            reused = true;
            attach(pooled);
        } else {
            connect();
        }
    }

    private void prepareUpstreamRequest(HttpRequest req, HttpHeaders h, String host) {
        Http.stripHopByHop(h);
        String uri = req.uri();
        if (!uri.isEmpty() && uri.charAt(0) != '/') {
            int scheme = uri.indexOf("://");
            if (scheme > 0) {
                int slash = uri.indexOf('/', scheme + 3);
                req.setUri(slash < 0 ? "/" : uri.substring(slash));
            }
        }
        String prior = h.get(Http.X_FORWARDED_FOR);
        if (prior != null) {
            h.set(Http.X_FORWARDED_FOR, String.join(", ", h.getAll(Http.X_FORWARDED_FOR)) + ", " + clientIp);
        } else {
            h.set(Http.X_FORWARDED_FOR, clientIp);
        }
        h.set(Http.X_FORWARDED_PROTO, "http");
        if (host != null) {
            h.set(Http.X_FORWARDED_HOST, host);
        } else {
            h.remove(Http.X_FORWARDED_HOST);
        }
        req.setProtocolVersion(HttpVersion.HTTP_1_1); // always keep-alive toward upstreams
    }

    private void connect() {
        state = State.CONNECTING;
        long id = exchangeId;
        loop.connect(target, route.timeouts().connectMs()).addListener((ChannelFuture f) -> connected(id, f));
    }

    private void connected(long id, ChannelFuture f) {
        if (id != exchangeId || state != State.CONNECTING) {
            if (f.isSuccess()) {
                f.channel().close();
            }
            return;
        }
        if (!f.isSuccess()) {
            target.onFailure(); // health hook
            if (failOver()) {
                return;
            }
            local(HttpResponseStatus.BAD_GATEWAY, "could not connect to the target", false);
            drainPending();
            return;
        }
        attach(f.channel());
        drainPending();
    }

    private void attach(Channel ch) {
        backend = ch.pipeline().get(BackendHandler.class);
        backend.lease(this);
        state = State.PROXYING;
        ch.write(request);
        if (requestDone) { // a retry: the original request had no body
            ch.write(LastHttpContent.EMPTY_LAST_CONTENT);
            startFirstByteTimer();
        }
        ch.read();
    }

    private void onContent(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            content.release();
            abort();
            return;
        }
        boolean last = content instanceof LastHttpContent;
        if (state == State.PROXYING && !requestDone && backend != null) {
            bodySent |= content.content().isReadable();
            backend.channel().write(content);
            if (last) {
                requestDone = true;
                startFirstByteTimer();
            }
            return;
        }
        content.release();
        if (last && state == State.DISCARDING) {
            requestDone = true;
            endExchange();
        }
    }

    private void afterBatch() {
        if (state == State.PROXYING && backend != null) {
            backend.channel().flush();
            if (!requestDone && backend.channel().isWritable()) {
                ctx.read();
            }
        } else if ((state == State.IDLE || state == State.DISCARDING) && pending.isEmpty()) {
            ctx.read();
        }
    }

    private void drainPending() {
        if (draining) {
            return;
        }
        draining = true;
        try {
            while (!pending.isEmpty() && state != State.CLOSED && !mustWait(pending.peekFirst())) {
                handle(pending.pollFirst());
            }
        } finally {
            draining = false;
        }
        afterBatch();
    }

    // ---- upstream side, called by BackendHandler on the same event loop

    void upstreamRead(Object msg) {
        if (state != State.PROXYING) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse res) {
            onResponse(res);
        } else if (msg instanceof HttpContent content) {
            if (content.decoderResult().isFailure()) {
                content.release();
                failUpstream("invalid response from the target");
                return;
            }
            boolean last = content instanceof LastHttpContent;
            if (informational) {
                informational = !last;
                ctx.write(content);
                return;
            }
            if (last) {
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
        if (res.decoderResult().isFailure() || code == 101) {
            ReferenceCountUtil.release(res);
            failUpstream(code == 101 ? "the target switched protocols" : "invalid response from the target");
            return;
        }
        HttpHeaders h = res.headers();
        if (code < 200) {
            informational = true;
            Http.stripHopByHop(h);
            ctx.write(res);
            return;
        }
        responseStarted = true;
        if (code >= 500) { // health hook
            target.onFailure();
        } else {
            target.onSuccess();
        }
        cancelTimer();
        upstreamKeepAlive = HttpUtil.isKeepAlive(res);
        Http.stripHopByHop(h);
        boolean http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        boolean chunked = HttpUtil.isTransferEncodingChunked(res);
        boolean bodyless = code == 204 || code == 304 || HttpMethod.HEAD.equals(request.method());
        if (!bodyless && !chunked && !h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            // The target delimits the body by closing; re-frame it for HTTP/1.1 clients.
            if (http10) {
                keepAlive = false;
            } else {
                HttpUtil.setTransferEncodingChunked(res, true);
            }
        } else if (chunked && http10) {
            HttpUtil.setTransferEncodingChunked(res, false);
            keepAlive = false;
        }
        if (!keepAlive) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        metrics.response(code);
        if (res instanceof HttpContent) { // not produced by HttpClientCodec, but stay safe
            upstreamRead(res);
            return;
        }
        ctx.write(res);
    }

    private void finishResponse(HttpContent last) {
        ctx.writeAndFlush(last);
        cancelTimer();
        BackendHandler b = backend;
        backend = null;
        b.release(upstreamKeepAlive && requestDone);
        if (!requestDone) {
            keepAlive = false; // the rest of the request body would have to be read and dropped
        }
        endExchange();
    }

    void upstreamReadComplete() {
        lastUpstreamNanos = System.nanoTime();
        ctx.flush();
        if (state == State.PROXYING && backend != null) {
            if (responseStarted && idleTimer == null) {
                // Armed only for responses that outlive one read batch, so small ones cost no timer.
                scheduleIdleCheck(route.timeouts().idleMs());
            }
            if (ctx.channel().isWritable()) {
                backend.channel().read();
            }
        }
    }

    void upstreamWritable() {
        if (state == State.PROXYING && !requestDone) {
            ctx.read();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && state == State.PROXYING && backend != null) {
            backend.channel().read();
        }
        ctx.fireChannelWritabilityChanged();
    }

    void upstreamClosed(BackendHandler closed) {
        if (closed != backend) {
            return;
        }
        backend = null;
        if (!responseStarted && reused && requestDone && !bodySent && !retried) {
            // A pooled connection the target closed just as we reused it; the request had no body and
            // nothing came back, so sending it once more on a fresh connection is safe.
            retried = true;
            cancelTimer();
            connect();
            return;
        }
        failUpstream("the target closed the connection before the response was complete");
    }

    private void failUpstream(String detail) {
        if (!responseStarted && target != null) {
            target.onFailure(); // health hook
        }
        cancelTimer();
        if (backend != null) {
            backend.abandon();
            backend = null;
        }
        if (!responseStarted) {
            local(HttpResponseStatus.BAD_GATEWAY, detail, false);
        } else {
            abort(); // part of the response is already out; only a close can tell the client
        }
    }

    private void startFirstByteTimer() {
        if (responseStarted || firstByteTimer != null) {
            return;
        }
        long id = exchangeId;
        firstByteTimer = ctx.executor().schedule(() -> timedOut(Timeout.FIRST_BYTE, id),
                route.timeouts().firstByteMs(), TimeUnit.MILLISECONDS);
    }

    private void cancelTimer() {
        if (firstByteTimer != null) {
            firstByteTimer.cancel(false);
            firstByteTimer = null;
        }
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }

    /** One timer per exchange, re-armed for the remainder instead of being touched on every read. */
    private void scheduleIdleCheck(long delayMs) {
        long id = exchangeId;
        idleTimer = ctx.executor().schedule(() -> {
            idleTimer = null;
            if (id != exchangeId || state != State.PROXYING) {
                return;
            }
            long idleMs = route.timeouts().idleMs();
            long quietMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastUpstreamNanos);
            if (quietMs >= idleMs && ctx.channel().isWritable()) {
                timedOut(Timeout.UPSTREAM_IDLE, id);
            } else {
                // A client that is not writable is why we are not reading: that is not the target's fault.
                scheduleIdleCheck(quietMs >= idleMs ? idleMs : idleMs - quietMs);
            }
        }, delayMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE) {
            if (state == State.IDLE || state == State.DISCARDING) {
                timedOut(Timeout.CLIENT_IDLE, exchangeId);
            } else if (state == State.PROXYING && !requestDone) {
                timedOut(Timeout.CLIENT_REQUEST, exchangeId);
            }
            return; // waiting on the target is the first-byte timer's business
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** The one place where a timeout becomes a response: 504 for the target, 408 for the client. */
    void timedOut(Timeout timeout, long id) {
        if (id != exchangeId || state == State.CLOSED) {
            return;
        }
        switch (timeout) {
            case CLIENT_IDLE -> abort();
            case CLIENT_REQUEST -> {
                dropBackend();
                if (responseStarted) {
                    abort();
                } else {
                    local(HttpResponseStatus.REQUEST_TIMEOUT, "the request was not received in time", true);
                }
            }
            case UPSTREAM_IDLE -> abort(); // the response has started: only a close can tell the client
            case FIRST_BYTE -> {
                firstByteTimer = null;
                if (state != State.PROXYING || responseStarted) {
                    return;
                }
                dropBackend();
                target.onFailure(); // health hook
                local(HttpResponseStatus.GATEWAY_TIMEOUT, "the target did not answer within "
                        + route.timeouts().firstByteMs() + " ms", false);
            }
        }
    }

    private void dropBackend() {
        if (backend != null) {
            backend.abandon();
            backend = null;
        }
    }

    /**
     * Answers the current request from the proxy itself. The connection stays open when the client
     * allows it; an unread request body is then read and dropped first.
     */
    private void local(HttpResponseStatus status, String detail, boolean forceClose) {
        cancelTimer();
        boolean close = forceClose || !keepAlive;
        metrics.response(status.code());
        responseStarted = true;
        ChannelFuture f = ctx.writeAndFlush(Http.problem(ctx.alloc(), status, detail, close));
        if (close) {
            state = State.CLOSED;
            releasePending();
            f.addListener(ChannelFutureListener.CLOSE);
        } else if (requestDone) {
            endExchange();
        } else {
            state = State.DISCARDING;
        }
    }

    private void endExchange() {
        cancelTimer();
        request = null;
        route = null;
        releaseTarget();
        if (!keepAlive) {
            state = State.CLOSED;
            releasePending();
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        state = State.IDLE;
        drainPending();
    }

    private void abort() {
        state = State.CLOSED;
        releaseTarget();
        cancelTimer();
        dropBackend();
        releasePending();
        ctx.close();
    }

    // ---- balancing hooks: the one place a picked target is given back, and the one connect-failure retry

    private void releaseTarget() {
        if (target != null) {
            target.release();
            target = null;
        }
    }

    /**
     * Nothing was sent when a connect fails, so any request may go to another target, once; this keeps a
     * dead target's share of new requests from failing while passive health is still counting.
     */
    private boolean failOver() {
        if (failedOver) {
            return false;
        }
        failedOver = true;
        Target next = null;
        // Other loops move a round-robin cursor too, so the next pick may be the same target: a few tries.
        for (int i = 0; i < 3 && next == null; i++) {
            next = route.upstream().pick(request.headers(), clientIp);
            if (next == target) {
                next.release();
                next = null;
            }
        }
        if (next == null) {
            return false;
        }
        releaseTarget();
        target = next;
        connect();
        return true;
    }

    private void releasePending() {
        Object m;
        while ((m = pending.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        abort();
    }
}
