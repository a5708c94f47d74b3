package io.edgeway.dataplane.relay;

import io.edgeway.dataplane.balancing.Endpoint;
import io.edgeway.dataplane.cache.CachedResponse;
import io.edgeway.dataplane.cache.Lookup;
import io.edgeway.dataplane.cache.ResponseCache;
import io.edgeway.dataplane.cache.ResponseRecording;
import io.edgeway.dataplane.routing.RouteRule;
import io.edgeway.dataplane.tls.UpstreamTls;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The background request of stale-while-revalidate (RFC 5861 3): the client already has the stale copy; this
 * asks the target once per key (see {@link ResponseCache#startRevalidation}) with the copy's validators. A 304
 * refreshes the stored copy, a storable 200 replaces it, anything else (5xx, a refused connection, a timeout)
 * leaves it as it is, to be served stale until the window closes. Off the request path: its own connection
 * (closed after the one answer), on the client's event loop, with the response aggregated up to the route's
 * max_object_bytes (the cache would copy that much anyway; a larger one is not stored and the fetch is dropped).
 */
final class StaleRevalidation extends SimpleChannelInboundHandler<FullHttpResponse> {
    /** Conditional and range fields of the client: the background request asks for the whole current representation. */
    private static final List<CharSequence> CLIENT_PRECONDITIONS = List.of(HttpHeaderNames.IF_NONE_MATCH,
            HttpHeaderNames.IF_MODIFIED_SINCE, HttpHeaderNames.IF_MATCH, HttpHeaderNames.IF_UNMODIFIED_SINCE,
            HttpHeaderNames.IF_RANGE, HttpHeaderNames.RANGE);

    private final ResponseCache cache;
    private final RouteRule route;
    private final Lookup lookup;
    private final Endpoint target;
    private final FullHttpRequest request;
    /** The client's own header fields, as sent: a Vary'd entry is stored under their values. */
    private final HttpHeaders clientHeaders;
    private boolean ended;

    private StaleRevalidation(ResponseCache cache, RouteRule route, Lookup lookup, Endpoint target,
            FullHttpRequest request, HttpHeaders clientHeaders) {
        this.cache = cache;
        this.route = route;
        this.lookup = lookup;
        this.target = target;
        this.request = request;
        this.clientHeaders = clientHeaders;
    }

    /**
     * Starts the revalidation of {@code lookup}'s entry unless one is running for its key. {@code client} is the
     * request the stale copy answered; it is copied (never changed), so it can be released as usual.
     */
    static void start(LoopResources loop, RouteRule route, Lookup lookup, HttpRequest client, String host,
            String clientIp, boolean trustedPeer, CharSequence scheme) {
        ResponseCache cache = loop.cache();
        if (!cache.startRevalidation(lookup.variantKey())) {
            return; // collapsed: one background request per key at a time
        }
        HttpHeaders clientHeaders = new DefaultHttpHeaders().set(client.headers());
        Endpoint target = route.upstream().pick(client.headers(), clientIp);
        if (target == null) {
            cache.revalidated(lookup.variantKey());
            return;
        }
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, client.uri(),
                Unpooled.EMPTY_BUFFER, new DefaultHttpHeaders().set(client.headers()), new DefaultHttpHeaders());
        ForwardedFields forwarded = new ForwardedFields();
        HeaderRewriter.request(req, host, clientIp, trustedPeer, scheme, forwarded);
        forwarded.addTo(req.headers());
        if (route.actions() != null) {
            route.actions().beforeProxy(req);
        }
        conditionalOn(req.headers(), lookup.entry());
        req.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        new StaleRevalidation(cache, route, lookup, target, req, clientHeaders).connect(loop);
    }

    /** The stored copy's validators replace whatever the client sent (RFC 9111 4.3.1). */
    private static void conditionalOn(HttpHeaders h, CachedResponse entry) {
        CLIENT_PRECONDITIONS.forEach(h::remove);
        if (entry.etag() != null) {
            h.set(HttpHeaderNames.IF_NONE_MATCH, entry.etag());
        }
        String lastModified = entry.headers().get(HttpHeaderNames.LAST_MODIFIED);
        if (lastModified != null) {
            h.set(HttpHeaderNames.IF_MODIFIED_SINCE, lastModified);
        }
    }

    private void connect(LoopResources loop) {
        UpstreamTls tls = target.tls();
        long connectMs = route.timeouts().connectMs();
        int maxBody = (int) route.cache().maxObjectBytes();
        ChannelFuture connected = loop.bootstrap().clone()
                .option(ChannelOption.AUTO_READ, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectMs))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), target.host(), target.port(),
                                    false, connectMs));
                        }
                        ch.pipeline()
                                .addLast("timeout", new ReadTimeoutHandler(route.timeouts().firstByteMs(), TimeUnit.MILLISECONDS))
                                .addLast("codec", new HttpClientCodec(LoopResources.upstreamDecoderConfig(), false, false))
                                .addLast("aggregate", new HttpObjectAggregator(maxBody))
                                .addLast("revalidation", StaleRevalidation.this);
                    }
                })
                .connect(target.address());
        connected.addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                f.channel().writeAndFlush(request);
            } else {
                request.release();
                target.onFailure();
                end();
            }
        });
        connected.channel().closeFuture().addListener(f -> end());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse res) {
        long now = System.currentTimeMillis();
        int code = res.status().code();
        if (code >= 500) {
            target.onFailure();
        } else {
            target.onSuccess();
        }
        if (code == 304) {
            cache.refreshed(lookup, lookup.entry(), res.headers(), now, route.cache());
        } else if (code < 500 && HeaderRewriter.responseFramingError(res.headers()) == null) {
            store(res, now);
        }
        ctx.close();
    }

    /** A new representation: stored as a relayed one would be (the same head rewriting), when it may be. */
    private void store(FullHttpResponse res, long now) {
        ResponseRecording recording = ResponseRecording.start(route.cache(), request, res, lookup, now);
        if (!recording.storable()) {
            return;
        }
        HeaderRewriter.response(res, request, true);
        if (route.actions() != null && route.actions().responseHeaders() != null) {
            route.actions().responseHeaders().apply(res.headers());
        }
        recording.head(res.headers());
        if (recording.append(res.content())) {
            recording.storeInto(cache, lookup, clientHeaders, now);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a timeout, a body over max_object_bytes, a broken response: the stale copy stays
    }

    private void end() {
        if (!ended) {
            ended = true;
            target.release();
            cache.revalidated(lookup.variantKey());
        }
    }
}
