package io.edgeway.dataplane.tls;

import io.edgeway.dataplane.config.ConfigHolder;
import io.edgeway.dataplane.listener.ProxyInitializer;
import io.edgeway.dataplane.status.TlsMeter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;

/**
 * The TLS listener's pipeline: SNI picks the context ({@link SniSelector}), the handshake runs, then the
 * proxy's own HTTP/1.1 pipeline serves, or its HTTP/2 pipeline when ALPN chose h2 ({@link AlpnSwitch}):
 * the same routing, strictness, WebSocket and gRPC handling as the plain port, with X-Forwarded-Proto https.
 */
public final class TlsInitializer extends ChannelInitializer<SocketChannel> {
    /** As long as the plain port lets a client take over its request head; a stalled handshake is cut then. */
    static final long HANDSHAKE_TIMEOUT_MS = 10_000;

    private final ProxyInitializer proxy;
    private final ConfigHolder configs;
    private final DefaultCertificate defaults;
    private final TlsMeter meter;

    public TlsInitializer(ProxyInitializer proxy, ConfigHolder configs, DefaultCertificate defaults, TlsMeter meter) {
        this(proxy, configs, defaults, meter, true);
    }

    private TlsInitializer(ProxyInitializer proxy, ConfigHolder configs, DefaultCertificate defaults, TlsMeter meter,
            boolean logEngine) {
        this.meter = meter;
        this.proxy = proxy;
        this.configs = configs;
        this.defaults = defaults;
        if (logEngine) {
            TlsEngine.logChoice();
        }
    }

    /** The warm-up's TLS listener (issue 21): the same pipeline; the engine is logged once, by the real listener. */
    public static TlsInitializer forWarmup(ProxyInitializer proxy, ConfigHolder configs, TlsMeter meter) {
        return new TlsInitializer(proxy, configs, DefaultCertificate.NONE, meter, false);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ListenerScheme.markTls(ch);
        proxy.initTls(ch, new SniSelector(configs, defaults, HANDSHAKE_TIMEOUT_MS), new AlpnSwitch(proxy::switchToH2));
        ch.pipeline().addBefore("alpn", "tls-meter", meter); // sees the handshake's end, then leaves
    }
}
