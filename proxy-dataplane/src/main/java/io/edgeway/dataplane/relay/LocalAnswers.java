package io.edgeway.dataplane.relay;

import io.edgeway.dataplane.acme.AcmeChallenges;
import io.edgeway.dataplane.cache.CachedAnswer;
import io.edgeway.dataplane.config.RuntimeConfig;
import io.edgeway.dataplane.http1.Http;
import io.edgeway.dataplane.limits.RateLimitHeaders;
import io.edgeway.dataplane.limits.RequestLimits;
import io.edgeway.dataplane.rewrite.RedirectAction;
import io.edgeway.dataplane.rewrite.RouteActions;
import io.edgeway.dataplane.routing.RouteRule;
import io.edgeway.dataplane.site.SiteResponder;
import io.edgeway.dataplane.tls.HttpsRedirect;
import io.edgeway.dataplane.tls.ListenerScheme;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Every answer the proxy gives itself instead of a target's: the steps a routed request passes before it may be
 * forwarded (https_redirect, 413 on a declared body, 429, a redirect action, a static site, a cache hit), the
 * ACME http-01 challenge before routing, and the proxy's own errors. Each step either answers (true: the request
 * is done here) or lets the request go on. One per client connection, like the {@link Exchange}, so the hot path
 * allocates nothing for it.
 */
final class LocalAnswers {
    /** How long a refused client may keep sending before the socket is closed under it. */
    static final long LINGER_MS = 2_000;

    private final FrontendHandler frontend;
    private final ChannelHandlerContext ctx;
    private final Exchange exchange;
    private final LoopResources loop;
    /** After an answer that closes: the output is shut and what the client still sends is read and dropped. */
    private boolean lingering;

    LocalAnswers(FrontendHandler frontend, ChannelHandlerContext ctx, Exchange exchange, LoopResources loop) {
        this.frontend = frontend;
        this.ctx = ctx;
        this.exchange = exchange;
        this.loop = loop;
    }

    boolean lingering() {
        return lingering;
    }

    /** Before routing: the ACME http-01 challenge, on plain HTTP only. True when it answered. */
    boolean beforeRouting(HttpRequest req, RuntimeConfig config, CharSequence scheme) {
        if (scheme == ListenerScheme.HTTP && AcmeChallenges.isChallenge(req.uri())) {
            // Before any route and any https_redirect: the CA validates over plain HTTP on port 80 (RFC 8555 8.3).
            acmeChallenge(req, config.acme());
            return true;
        }
        return false;
    }

    /**
     * The steps of a routed request, in order; true when one answered (or, for the cache, the request now waits
     * behind another one's miss). {@code host} is the Host header onRequest read once.
     */
    boolean answered(HttpRequest req, RouteRule route, RuntimeConfig config, String host, CharSequence scheme) {
        if (route.https().redirect() && scheme == ListenerScheme.HTTP) {
            httpsRedirect(req, host);
            return true;
        }
        if (route.maxBodyBytes() > 0 && RequestLimits.declaredOver(req, route.maxBodyBytes())) {
            problem(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "the request body is larger than this route allows", true);
            return true;
        }
        if (route.rateLimit() != null
                && !RequestLimits.admitted(loop.rateLimits(), route.rateLimit(), req, frontend.clientIp(), exchange.rate)) {
            tooManyRequests();
            return true;
        }
        RouteActions actions = route.actions();
        if (actions != null && actions.redirect() != null) {
            redirect(req, route, actions);
            return true;
        }
        if (route.site() != null) { // a static site (issue 17): answered here from local files, no target
            site(req, route, config, scheme);
            return true;
        }
        // Answered from the cache, or waiting for another request's miss of the same URL.
        return route.cache().enabled() && exchange.cache.begin(route, req, scheme, host);
    }

    private void httpsRedirect(HttpRequest req, String host) {
        String location = HttpsRedirect.location(host, req.uri(), HttpsRedirect.EXTERNAL_PORT);
        if (location == null) {
            problem(HttpResponseStatus.BAD_REQUEST, "a redirect to https needs a valid Host header", true);
        } else {
            respond(HttpsRedirect.response(ctx.alloc(), location, !exchange.keepAlive), HttpResponseStatus.PERMANENT_REDIRECT, false);
        }
    }

    private void tooManyRequests() {
        FullHttpResponse res = Http.problem(ctx.alloc(), HttpResponseStatus.TOO_MANY_REQUESTS,
                "rate limit exceeded", !exchange.keepAlive);
        RateLimitHeaders.set(res.headers(), exchange.rate);
        respond(res, HttpResponseStatus.TOO_MANY_REQUESTS, false);
    }

    /** A redirect route's answer (issue 17): its Location never carries more of the request than the path and query. */
    private void redirect(HttpRequest req, RouteRule route, RouteActions actions) {
        RedirectAction r = actions.redirect();
        FullHttpResponse res = r.response(r.location(req.uri(), route.paths()), !exchange.keepAlive);
        if (actions.responseHeaders() != null) {
            actions.responseHeaders().apply(res.headers());
        }
        respond(res, r.status(), false);
    }

    private void acmeChallenge(HttpRequest req, AcmeChallenges challenges) {
        String keyAuthorization = req.method() == HttpMethod.GET || req.method() == HttpMethod.HEAD
                ? challenges.answer(req.uri()) : null;
        ReferenceCountUtil.release(req);
        if (keyAuthorization == null) {
            problem(HttpResponseStatus.NOT_FOUND, "no such ACME challenge", false);
            return;
        }
        byte[] body = keyAuthorization.getBytes(StandardCharsets.US_ASCII);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                req.method() == HttpMethod.HEAD ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (!exchange.keepAlive) {
            res.headers().set(HttpHeaderNames.CONNECTION, "close");
        }
        respond(res, HttpResponseStatus.OK, false);
    }

    /**
     * Serves a site route's file from {@code config}, the one this request read: the whole answer comes from
     * one deployment. Zero-copy only on plain HTTP/1.1, where the socket gets the file's bytes as they are.
     */
    private void site(HttpRequest req, RouteRule route, RuntimeConfig config, CharSequence scheme) {
        exchange.cancelTimers();
        boolean close = !exchange.keepAlive;
        boolean tls = scheme == ListenerScheme.HTTPS;
        SiteResponder.Answer answer = SiteResponder.answer(ctx, req, route.site(), config.sites(), close,
                frontend.takesBytes() && scheme == ListenerScheme.HTTP, tls ? route.https().hsts() : null,
                frontend.takesBytes());
        ReferenceCountUtil.release(req);
        exchange.answeredLocally(answer.status(), close);
        afterAnswer(answer.written(), close);
    }

    /**
     * The proxy's own error answer for the current request, or the stale copy stale-if-error allows in its
     * place. The connection stays open when the client allows it; an unread request body is then read and
     * dropped first.
     */
    void problem(HttpResponseStatus status, String detail, boolean forceClose) {
        FullHttpResponse stale = exchange.cache.staleInsteadOf(status.code());
        if (stale != null) {
            respond(stale, stale.status(), forceClose);
            return;
        }
        FullHttpResponse res = Http.problem(ctx.alloc(), status, detail, forceClose || !exchange.keepAlive);
        String cacheStatus = exchange.cache.localStatus();
        if (cacheStatus != null) {
            res.headers().set(CachedAnswer.CACHE_STATUS, cacheStatus);
        }
        respond(res, status, forceClose);
    }

    /** Answers the request with the proxy's own {@code res} (which says Connection: close when it closes). */
    void respond(FullHttpResponse res, HttpResponseStatus status, boolean forceClose) {
        exchange.cancelTimers();
        boolean close = forceClose || !exchange.keepAlive;
        exchange.answeredLocally(status.code(), close);
        afterAnswer(ctx.writeAndFlush(res), close);
    }

    /**
     * Answers the request with a head and body already in HTTP/1.1 bytes (a cache hit); the drain handler adds
     * Connection: close to the head when the connection closes after it.
     */
    void respondBytes(PassHead head, PassBody body, int status) {
        exchange.cancelTimers();
        boolean close = !exchange.keepAlive;
        if (close) {
            head.closeConnection();
        }
        exchange.answeredLocally(status, close);
        ctx.write(head, ctx.voidPromise());
        afterAnswer(ctx.writeAndFlush(body), close);
    }

    private void afterAnswer(ChannelFuture f, boolean close) {
        if (close) {
            frontend.releasePending();
            f.addListener(this::linger);
        } else if (exchange.requestDone) {
            frontend.endExchange(); // else DISCARDING until the body's end
        }
    }

    /**
     * Closes after an error answer the way nginx's lingering close does: FIN first, then read and drop
     * what the client still sends for a moment. Closing a socket with unread input sends a RST, and a RST
     * can make the client's kernel discard the answer before the client reads it.
     */
    private void linger(Future<? super Void> written) {
        Channel ch = ctx.channel();
        if (!written.isSuccess() || !(ch instanceof DuplexChannel duplex) || !ch.isActive()) {
            ch.close();
            return;
        }
        lingering = true;
        duplex.shutdownOutput();
        ctx.executor().schedule(() -> ch.close(), LINGER_MS, TimeUnit.MILLISECONDS);
        ctx.read();
    }
}
