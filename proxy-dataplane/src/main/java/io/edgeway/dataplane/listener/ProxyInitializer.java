package io.edgeway.dataplane.listener;

import io.edgeway.dataplane.http1.ClientCodec;
import io.edgeway.dataplane.limits.ConnectionLimits;
import io.edgeway.dataplane.limits.LimitSettings;
import io.edgeway.dataplane.http2.H2cPreface;
import io.edgeway.dataplane.http2.Http2Frontend;
import io.edgeway.dataplane.relay.FrontendHandler;
import io.edgeway.dataplane.relay.LoopResources;
import io.edgeway.dataplane.status.Metrics;
import io.edgeway.dataplane.config.ConfigHolder;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import java.util.HashMap;
import java.util.Map;

/**
 * The client-side pipeline: preface → idle → codec → drain → frontend. Dependencies come in through the
 * constructor. The preface check leaves after the first bytes, switching to HTTP/2 when they are its
 * connection preface ({@link H2cPreface}); WebSocket ({@link Tunnel}) and h2c upgrades ({@link H2cUpgrade})
 * rebuild the pipeline later.
 * The idle handler measures the client timeouts cheaply (one timer per connection, not per request):
 * reader idle is a stalled request body, writer idle with observed output is a client that stopped
 * reading, all idle is a kept-alive connection with nothing to do. The header timeout is the codec's.
 */
public final class ProxyInitializer extends ChannelInitializer<SocketChannel> {
    private final ConfigHolder configs;
    private final Map<EventLoop, LoopResources> loops;
    private final Metrics metrics;
    private final ChannelGroup clients;
    private final ClientLimits limits;
    private final Drain drain;
    private final Map<EventLoop, Http2Frontend> h2 = new HashMap<>();
    private final ClientConnectionGauge gauge;
    /** Issue 18: PROXY protocol peers and connection limits; none unless {@link #withLimits} is called before binding. */
    private TrustedProxies proxyProtocolFrom = TrustedProxies.NONE;
    private ChannelHandler plainGuard;
    private ChannelHandler tlsGuard;

    public ProxyInitializer(ConfigHolder configs, Map<EventLoop, LoopResources> loops, Metrics metrics,
            ChannelGroup clients, ClientLimits limits, Drain drain) {
        this.drain = drain;
        this.configs = configs;
        this.loops = Map.copyOf(loops);
        this.metrics = metrics;
        this.clients = clients;
        this.limits = limits;
        this.gauge = new ClientConnectionGauge(metrics);
        this.loops.forEach((loop, res) -> h2.put(loop, new Http2Frontend(configs, res, metrics, limits)));
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        clients.add(ch);
        Http2Frontend http2 = h2.get(ch.eventLoop());
        guard(ch, plainGuard);
        ch.pipeline()
                .addLast("client-gauge", gauge)
                .addLast("preface", new H2cPreface(http2))
                .addLast("idle", idleHandler(limits))
                .addLast("codec", new ClientCodec(limits))
                .addLast("drain", drain.newHandler())
                .addLast("frontend", new FrontendHandler(configs, loops.get(ch.eventLoop()), metrics,
                        limits.trustedProxies()).allowH2cUpgrade(http2));
        ProxyProtocol.install(ch.pipeline(), proxyProtocolFrom, limits.headerTimeoutMs());
    }

    /** Both listeners' limits and PROXY protocol peers (issue 18); call before the listeners are bound. */
    public ProxyInitializer withLimits(LimitSettings settings, ConnectionLimits connections) {
        this.proxyProtocolFrom = settings.proxyProtocolFrom();
        if (connections.any()) {
            this.plainGuard = connections.newListenerGuard("http");
            this.tlsGuard = connections.newListenerGuard("https");
        }
        return this;
    }

    private static void guard(SocketChannel ch, ChannelHandler guard) {
        if (guard != null) {
            ch.pipeline().addLast("connection-limits", guard);
        }
    }

    /**
     * A connection of the TLS listener: {@code tls} first, then the HTTP/1.1 pipeline of the plain port
     * without the h2c ways in (over TLS, HTTP/2 is ALPN's choice: {@code alpn} then calls {@link #switchToH2}).
     */
    public void initTls(SocketChannel ch, ChannelHandler tls, ChannelHandler alpn) {
        clients.add(ch);
        guard(ch, tlsGuard);
        ch.pipeline()
                .addLast("client-gauge", gauge)
                .addLast("tls", tls)
                .addLast("alpn", alpn)
                .addLast("idle", idleHandler(limits))
                .addLast("codec", new ClientCodec(limits))
                .addLast("drain", drain.newHandler())
                .addLast("frontend", new FrontendHandler(configs, loops.get(ch.eventLoop()), metrics, limits.trustedProxies()));
        ProxyProtocol.install(ch.pipeline(), proxyProtocolFrom, limits.headerTimeoutMs());
    }

    /** ALPN chose h2: the same HTTP/2 pipeline as an h2c connection ({@link H2cPreface}) replaces HTTP/1.1. */
    public void switchToH2(ChannelHandlerContext ctx) {
        Http2Frontend http2 = h2.get(ctx.channel().eventLoop());
        ChannelPipeline p = ctx.pipeline();
        Http2Frontend.removeHttp1(p);
        http2.install(p);
        Http2Frontend.readFreely(ctx);
    }

    static ClientIdleTimer idleHandler(ClientLimits limits) {
        return new ClientIdleTimer(limits.keepAliveTimeoutMs(), limits.writeTimeoutMs(), limits.keepAliveTimeoutMs());
    }
}
