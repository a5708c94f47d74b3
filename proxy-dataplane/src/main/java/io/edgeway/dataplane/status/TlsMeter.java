package io.edgeway.dataplane.status;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.channels.ClosedChannelException;
import java.util.Locale;

/**
 * Counts TLS handshakes on the proxy's TLS listener by protocol version, and failed ones by a reason from a
 * fixed list (never the exception's text: the labels stay bounded whatever clients send). One shared handler
 * that sees the handshake's completion event and steps aside.
 */
@ChannelHandler.Sharable
public final class TlsMeter extends ChannelInboundHandlerAdapter {
    static final String[] REASONS = {"timeout", "not_tls", "closed", "unrecognized_name", "protocol_version",
            "no_shared_cipher", "certificate", "other"};
    private final CounterDataPoint tls12;
    private final CounterDataPoint tls13;
    private final CounterDataPoint otherVersion;
    private final CounterDataPoint[] errors = new CounterDataPoint[REASONS.length];

    TlsMeter(PrometheusRegistry registry) {
        Counter ok = Counter.builder().name("edgeway_tls_handshakes_total")
                .help("TLS handshakes completed on the TLS listener, by protocol version.")
                .labelNames("version").withoutExemplars().register(registry);
        tls12 = ok.labelValues("TLSv1.2");
        tls13 = ok.labelValues("TLSv1.3");
        otherVersion = ok.labelValues("other");
        Counter failed = Counter.builder().name("edgeway_tls_handshake_errors_total")
                .help("TLS handshakes that failed, by reason.")
                .labelNames("reason").withoutExemplars().register(registry);
        for (int i = 0; i < REASONS.length; i++) {
            errors[i] = failed.labelValues(REASONS[i]);
        }
    }

    /** Fired by the SNI step when it refuses the name (it answers the alert itself; no handshake event follows). */
    public static final Object UNRECOGNIZED_NAME = new Object();
    /** Likewise, when the first bytes were no TLS ClientHello at all (plain HTTP on the TLS port, a scanner). */
    public static final Object NOT_TLS = new Object();

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == UNRECOGNIZED_NAME || evt == NOT_TLS) {
            errors[evt == NOT_TLS ? 1 : 3].inc();
            ctx.pipeline().remove(this);
            return;
        }
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                SslHandler ssl = ctx.pipeline().get(SslHandler.class);
                String v = ssl == null ? "" : ssl.engine().getSession().getProtocol();
                ("TLSv1.3".equals(v) ? tls13 : "TLSv1.2".equals(v) ? tls12 : otherVersion).inc();
            } else {
                errors[reason(done.cause())].inc();
            }
            ctx.pipeline().remove(this);
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** A failure before any handshake event: not TLS at all (the ClientHello parser's), or another. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        errors[reason(cause)].inc();
        ctx.pipeline().remove(this);
        ctx.fireExceptionCaught(cause);
    }

    /** Gone before the handshake ended (a port check, a client giving up before its ClientHello). */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        errors[2].inc();
        ctx.pipeline().remove(this);
        ctx.fireChannelInactive();
    }

    /** An index into {@link #REASONS}. */
    static int reason(Throwable cause) {
        for (Throwable c = cause; c != null; c = c.getCause()) {
            if (c instanceof SslHandshakeTimeoutException) {
                return 0;
            } else if (c instanceof NotSslRecordException) {
                return 1;
            } else if (c instanceof ClosedChannelException) {
                return 2;
            }
            String m = c.getMessage() == null ? "" : c.getMessage().toLowerCase(Locale.ROOT);
            if (m.contains("unrecognized_name") || m.contains("unrecognized name")) {
                return 3;
            } else if (m.contains("protocol") && m.contains("version") || m.contains("unsupported_protocol")) {
                return 4;
            } else if (m.contains("cipher")) {
                return 5;
            } else if (m.contains("certificate")) {
                return 6;
            }
        }
        return 7;
    }
}
