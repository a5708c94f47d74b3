package io.edgeway.dataplane.relay;

import io.edgeway.dataplane.balancing.Endpoint;
import io.edgeway.dataplane.config.ConfigHolder;
import io.edgeway.dataplane.config.RuntimeConfig;
import io.edgeway.dataplane.http1.RequestValidator;
import io.edgeway.dataplane.http2.H2cUpgrade;
import io.edgeway.dataplane.http2.Http2Frontend;
import io.edgeway.dataplane.rewrite.RouteActions;
import io.edgeway.dataplane.routing.RouteRule;
import io.edgeway.dataplane.routing.RouteTable;
import io.edgeway.dataplane.status.Metrics;
import io.edgeway.dataplane.trace.TraceContext;
import io.edgeway.dataplane.trace.TraceIds;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;

/**
 * What happens to a request head once its connection's {@link FrontendHandler} lets it in: parse → route →
 * local answer or forward. It refuses bad heads ({@link RequestValidator}), routes the rest, lets
 * {@link LocalAnswers} answer what the proxy answers itself, and hands the others, with their forwarded fields
 * and trace context, to the {@link Exchange}. The handler keeps the connection's side: reading, pipelining,
 * timeouts and the end of each exchange. One per connection (or HTTP/2 stream), on its event loop.
 */
final class RequestDispatch {
    private final FrontendHandler frontend;
    private final ChannelHandlerContext ctx;
    private final Exchange exchange;
    private final LocalAnswers answers;
    private final LoopResources loop;
    private final ConfigHolder configs;
    private final Metrics metrics;
    /** Set on HTTP/1.1 connections, which may upgrade to h2c; {@code null} on HTTP/2 streams. */
    private final Http2Frontend h2c;
    /** The last Host header and its normalised form: a keep-alive client sends the same one every time. */
    private String lastHost;
    private String lastRouteHost = "";

    RequestDispatch(FrontendHandler frontend, ChannelHandlerContext ctx, Exchange exchange, LocalAnswers answers,
            LoopResources loop, ConfigHolder configs, Metrics metrics, Http2Frontend h2c) {
        this.frontend = frontend;
        this.ctx = ctx;
        this.exchange = exchange;
        this.answers = answers;
        this.loop = loop;
        this.configs = configs;
        this.metrics = metrics;
        this.h2c = h2c;
    }

    void onRequest(HttpRequest req) {
        exchange.begin(req);
        RequestValidator.Rejection rejection = RequestValidator.check(req);
        if (rejection != null) {
            metrics.badRequests.increment();
            ReferenceCountUtil.release(req); // a failed decode may carry content
            frontend.local(rejection.status(), rejection.reason(), true);
            return;
        }
        boolean upgrade = req.headers().contains(HttpHeaderNames.UPGRADE);
        if (upgrade && h2c != null && H2cUpgrade.isUpgrade(req)) {
            H2cUpgrade.upgrade(ctx, req, h2c); // the handler is gone now: stream 1 carries the request on
            return;
        }
        String host = req.headers().get(HttpHeaderNames.HOST);
        exchange.measured.host = host;
        // One volatile read per request; everything below uses this snapshot of the config.
        RuntimeConfig config = configs.get();
        if (config == RuntimeConfig.NONE) {
            // No snapshot yet (control plane unreachable, no disk cache): "no route" would be a lie.
            frontend.local(HttpResponseStatus.SERVICE_UNAVAILABLE, "the proxy has no configuration yet", false);
            return;
        }
        if (answers.beforeRouting(req, config, frontend.scheme())) {
            return;
        }
        RouteRule route = config.routes().match(routeHost(host), req.uri(), req.method().name());
        if (route == null) {
            frontend.local(HttpResponseStatus.NOT_FOUND, "no route matches this host and path", false);
            return;
        }
        exchange.routed(route);
        exchange.measured.configVersion = config.version();
        if (answers.answered(req, route, config, host, frontend.scheme())) {
            return;
        }
        forward(route, req, host, upgrade);
    }

    /** The routed request goes to a target of its route; {@code host} and {@code upgrade} as onRequest read them. */
    void forward(RouteRule route, HttpRequest req, String host, boolean upgrade) {
        // Balancing hook: the target counts as in flight until the exchange gives it back.
        Endpoint target = route.upstream().pick(req.headers(), frontend.clientIp());
        if (target == null) {
            frontend.local(HttpResponseStatus.SERVICE_UNAVAILABLE, "no enabled target for this route", false);
            return;
        }
        boolean websocket = upgrade && WebSocketUpgrade.isHandshake(req);
        HeaderRewriter.request(req, host, frontend.clientIp(), frontend.trustedPeer(), frontend.scheme(),
                exchange.forwarded);
        if (loop.observers().traceContext()) {
            traceContext(req);
        }
        RouteActions actions = route.actions();
        if (actions != null) {
            exchange.accepted = actions.beforeProxy(req);
            exchange.forwarded.yieldToHeaders(req.headers());
        }
        if (websocket) {
            WebSocketUpgrade.keepUpgradeHeaders(req);
            exchange.upgrade = true;
        }
        exchange.maxBody = route.maxBodyBytes();
        exchange.start(route, target);
    }

    /**
     * W3C trace context toward the target. The traceparent and a made X-Request-Id travel beside the head, as the
     * X-Forwarded-* fields do (written after the headers by the encoder), not as header entries; after the
     * hop-by-hop strip, so a client's {@code Connection: traceparent} cannot take this hop's header away.
     */
    private void traceContext(HttpRequest req) {
        TraceIds ids = exchange.forwarded.traceIds();
        TraceContext.toTarget(req.headers(), loop.observers().sampleNewTraces(), ids);
        CharSequence keptId = TraceContext.keptRequestId(req.headers());
        exchange.forwarded.trace(keptId == null);
        exchange.measured.trace = ids;
        exchange.measured.requestId = keptId;
    }

    private String routeHost(String host) {
        if (host == null || !host.equals(lastHost)) {
            lastRouteHost = RouteTable.normalizeHost(host);
            lastHost = host;
        }
        return lastRouteHost;
    }
}
