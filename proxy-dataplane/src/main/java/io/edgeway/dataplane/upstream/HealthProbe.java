package io.edgeway.dataplane.upstream;

import io.edgeway.dataplane.balancing.HealthPolicy;
import io.edgeway.dataplane.balancing.Endpoint;
import io.edgeway.dataplane.tls.UpstreamTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One TCP connect check (the check's path is empty) or one HTTP/1.1 GET on a fresh connection that is closed afterwards: a probe must see what a new connection
 * sees, and it keeps no state between probes. {@code done} is called exactly once, on the health loop.
 */
final class HealthProbe extends SimpleChannelInboundHandler<HttpObject> {
    private final int expectedStatus;
    private final Consumer<Boolean> done;
    private boolean finished;
    private ScheduledFuture<?> timer;

    private HealthProbe(int expectedStatus, Consumer<Boolean> done) {
        this.expectedStatus = expectedStatus;
        this.done = done;
    }

    static void run(Bootstrap base, Endpoint target, HealthPolicy.Active check, Consumer<Boolean> done) {
        HealthProbe probe = new HealthProbe(check.expectedStatus(), done);
        ChannelFuture f = base.clone()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, check.timeoutMs()))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        UpstreamTls tls = target.tls();
                        if (tls != null) { // probe what requests see: the same handshake and checks
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), target.host(), target.port(), false,
                                    check.timeoutMs()));
                        }
                        ch.pipeline().addLast(new HttpClientCodec()).addLast(probe);
                    }
                })
                .connect(target.address());
        Channel ch = f.channel();
        probe.timer = ch.eventLoop().schedule(() -> probe.finish(ch, false), check.timeoutMs(), TimeUnit.MILLISECONDS);
        f.addListener((ChannelFuture cf) -> {
            if (!cf.isSuccess()) {
                probe.finish(ch, false);
                return;
            }
            if (check.path().isEmpty()) { // a TCP connect check (stream upstreams): connected is healthy
                probe.finish(ch, true);
                return;
            }
            var req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, check.path());
            req.headers().set(HttpHeaderNames.HOST, target.toString())
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                    .set(HttpHeaderNames.USER_AGENT, "edgeway-health-check")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            ch.writeAndFlush(req);
        });
        ch.closeFuture().addListener(c -> probe.finish(ch, false)); // closed before a status line
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
        if (msg instanceof HttpResponse res) {
            finish(ctx.channel(), !res.decoderResult().isFailure() && res.status().code() == expectedStatus);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        finish(ctx.channel(), false);
    }

    private void finish(Channel ch, boolean ok) {
        if (finished) {
            return;
        }
        finished = true;
        if (timer != null) {
            timer.cancel(false);
        }
        ch.close();
        done.accept(ok);
    }
}
