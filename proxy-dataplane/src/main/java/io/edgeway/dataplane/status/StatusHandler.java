package io.edgeway.dataplane.status;

import io.edgeway.dataplane.config.ConfigHolder;
import io.edgeway.dataplane.listener.Drain;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/** {@code /healthz}, {@code /readyz}, {@code /metrics} and {@code /health/upstreams} on the status port. */
@ChannelHandler.Sharable
public final class StatusHandler extends SimpleChannelInboundHandler<HttpObject> {
    private final ConfigHolder configs;
    private final Metrics metrics;
    private final Drain drain;
    private final BooleanSupplier warmedUp;

    public StatusHandler(ConfigHolder configs, Metrics metrics, Drain drain) {
        this(configs, metrics, drain, () -> true);
    }

    /** {@code warmedUp}: false while the warm-up (issue 21) runs, when {@code /readyz} must stay 503. */
    public StatusHandler(ConfigHolder configs, Metrics metrics, Drain drain, BooleanSupplier warmedUp) {
        this.configs = configs;
        this.metrics = metrics;
        this.drain = drain;
        this.warmedUp = warmedUp;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
        if (!(msg instanceof HttpRequest req)) {
            return; // bodies are ignored
        }
        String path = req.uri();
        int q = path.indexOf('?');
        if (q >= 0) {
            path = path.substring(0, q);
        }
        FullHttpResponse res = switch (path) {
            case "/healthz" -> text(ctx, HttpResponseStatus.OK, "ok\n", "text/plain; charset=utf-8");
            // Draining first: the load balancer must stop sending here even though the config is fine.
            case "/readyz" -> drain.begun()
                    ? text(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "draining\n", "text/plain; charset=utf-8")
                    : !warmedUp.getAsBoolean()
                    ? text(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "warming up\n", "text/plain; charset=utf-8")
                    : configs.applied()
                    ? text(ctx, HttpResponseStatus.OK, "ready version=" + configs.version() + "\n",
                            "text/plain; charset=utf-8")
                    : text(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "no config applied yet\n",
                            "text/plain; charset=utf-8");
            case "/metrics" -> page(ctx, metrics.render(req.headers().get(HttpHeaderNames.ACCEPT)));
            case "/health/upstreams" -> text(ctx, HttpResponseStatus.OK, UpstreamReport.json(configs.get()),
                    "application/json");
            default -> text(ctx, HttpResponseStatus.NOT_FOUND, "not found\n", "text/plain; charset=utf-8");
        };
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        HttpUtil.setKeepAlive(res, keepAlive);
        var f = ctx.writeAndFlush(res);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Prometheus text, or OpenMetrics when the scraper's Accept header asks for it. */
    private static FullHttpResponse page(ChannelHandlerContext ctx, Metrics.Page page) {
        ByteBuf buf = ctx.alloc().buffer(page.body().length).writeBytes(page.body());
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, buf);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, page.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, page.body().length);
        return res;
    }

    private static FullHttpResponse text(ChannelHandlerContext ctx, HttpResponseStatus status, String body,
            String type) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ByteBuf buf = ctx.alloc().buffer(bytes.length).writeBytes(bytes);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, buf);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, type).setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return res;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
