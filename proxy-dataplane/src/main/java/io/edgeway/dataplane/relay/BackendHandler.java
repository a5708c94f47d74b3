package io.edgeway.dataplane.relay;

import io.edgeway.dataplane.status.Metrics;
import io.edgeway.dataplane.upstream.UpstreamPool;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;

/**
 * One per upstream connection. While leased it forwards everything to the {@link Exchange} that leased it
 * (same event loop); while pooled it owns nothing, and any byte or close just retires the connection.
 * On an h2c stream ({@link #forStream}) it serves one exchange: never pooled, not counted as a connection.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {
    private final UpstreamPool pool;
    private final Object target; // the pool key: Target.poolKey()
    private final Metrics metrics;
    private Channel channel;
    private UpstreamDecoder decoder;
    private UpstreamRequestEncoder encoder;
    private Exchange owner;

    BackendHandler(UpstreamPool pool, Object target, Metrics metrics) {
        this.pool = pool;
        this.target = target;
        this.metrics = metrics;
    }

    /** For one h2c stream: the connection under it is counted and retired by {@link H2Upstreams}. */
    static BackendHandler forStream(Metrics metrics) {
        return new BackendHandler(null, null, metrics);
    }

    /**
     * The handler of a target connection. Every pipeline that carries one ends with it, so it is the pipeline's
     * last handler, found without a search: {@code pipeline().get(Class)} walks the handlers with a class test
     * each, once per request on a pooled connection (half a percent of the event loop's time in a profile of
     * small keep-alive requests). The search stays for a pipeline that had something added after it.
     */
    static BackendHandler of(Channel ch) {
        return ch.pipeline().last() instanceof BackendHandler b ? b : ch.pipeline().get(BackendHandler.class);
    }

    void lease(Exchange owner) {
        this.owner = owner;
    }

    /**
     * Tells the decoder about the request about to be written (see {@link UpstreamDecoder#expect}); an h2c
     * stream has none: its frames always become HTTP objects.
     */
    void expect(HttpMethod method, boolean passAllowed) {
        if (decoder != null) {
            decoder.expect(method, passAllowed);
        }
    }

    /**
     * The X-Forwarded-* values of the head about to be written: the HTTP/1.1 encoder writes them after its
     * headers; an h2c stream, which takes the head as an object, gets them in it.
     */
    void forwarded(HttpRequest req, ForwardedFields fields) {
        if (encoder != null) {
            encoder.next(fields);
        } else {
            fields.addTo(req.headers());
        }
    }

    /** Back to the pool after a clean exchange; otherwise closes the connection. */
    void release(boolean reusable) {
        owner = null;
        if (reusable && pool != null && channel != null && channel.isActive()) {
            pool.release(target, channel);
        } else if (channel != null) {
            channel.close();
        }
    }

    void abandon() {
        owner = null;
        if (channel != null) {
            channel.close();
        }
    }

    Channel channel() {
        return channel;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        decoder = ctx.pipeline().get(UpstreamDecoder.class);
        encoder = ctx.pipeline().get(UpstreamRequestEncoder.class);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (pool != null) {
            metrics.upstreamConnectionsOpened.increment();
            metrics.upstreamConnectionsActive.increment();
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Exchange o = owner;
        if (o == null) {
            // Bytes on an idle connection: the target is confused or closing. Retire it.
            ReferenceCountUtil.release(msg);
            if (pool != null) {
                pool.remove(target, ctx.channel());
            }
            ctx.close();
            return;
        }
        o.upstreamRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Exchange o = owner;
        if (o != null) {
            o.upstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Exchange o = owner;
        if (o != null && ctx.channel().isWritable()) {
            o.upstreamWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (pool != null) {
            metrics.upstreamConnectionsActive.decrement();
            pool.remove(target, ctx.channel());
        }
        Exchange o = owner;
        owner = null;
        if (o != null) {
            o.upstreamClosed(this);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
