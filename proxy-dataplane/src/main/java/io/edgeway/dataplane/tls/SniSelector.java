package io.edgeway.dataplane.tls;

import io.edgeway.dataplane.status.TlsMeter;

import io.edgeway.dataplane.config.ConfigHolder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AsyncMapping;
import io.netty.util.concurrent.Future;

/**
 * Picks the server context for one handshake from the client's SNI: the applied snapshot's exact name, then
 * wildcard ({@link TlsCertificates#forSni}), then the default certificate setting. A context not compiled yet
 * is compiled off the event loop ({@link CertificateContext}); the handshake resumes when it is ready. The snapshot is read once,
 * here, so the handshake sees one config throughout and a config swap never touches an open connection.
 * With no match and no default the handshake ends with a fatal {@code unrecognized_name} alert (RFC 6066),
 * which tells a client why, unlike a bare close.
 */
final class SniSelector extends SniHandler {
    /** A ClientHello larger than this is refused (with several key shares and PSKs they stay far below). */
    private static final int MAX_CLIENT_HELLO = 16 * 1024;
    /** TLS record: alert (21), TLS 1.2 record version, length 2, fatal (2), unrecognized_name (112). */
    private static final byte[] UNRECOGNIZED_NAME = {21, 3, 3, 0, 2, 2, 112};
    private static final AsyncMapping<String, SslContext> UNUSED = (host, promise) -> promise.setSuccess(null);

    private final ConfigHolder configs;
    private final DefaultCertificate defaults;
    private boolean acceptsEcdsa;
    private boolean sawClientHello;
    private boolean acmeTlsAlpn;

    SniSelector(ConfigHolder configs, DefaultCertificate defaults, long handshakeTimeoutMs) {
        super(UNUSED, MAX_CLIENT_HELLO, handshakeTimeoutMs);
        this.configs = configs;
        this.defaults = defaults;
    }

    /** Reads the key types the client accepts, then lets Netty read the SNI and call the lookup below. */
    @Override
    protected Future<SslContext> lookup(ChannelHandlerContext ctx, ByteBuf clientHello) throws Exception {
        sawClientHello = clientHello != null; // null: the first bytes were not a TLS handshake
        int facts = clientHello == null ? 0 : ClientHelloFacts.read(clientHello); // one walk for both
        acceptsEcdsa = (facts & ClientHelloFacts.ACCEPTS_ECDSA) != 0;
        acmeTlsAlpn = (facts & ClientHelloFacts.OFFERS_ACME_TLS_ALPN) != 0;
        return super.lookup(ctx, clientHello);
    }

    /**
     * The applied snapshot's certificate for the name, else the default certificate setting, else the
     * proxy's self-signed one; its context is ready at once after the first handshake naming it.
     */
    @Override
    protected Future<SslContext> lookup(ChannelHandlerContext ctx, String hostname) {
        if (acmeTlsAlpn) {
            // A TLS-ALPN-01 validation: the challenge's certificate or nothing (RFC 8737 3), never the site's.
            return ctx.executor().newSucceededFuture(hostname == null ? null : configs.get().acme().tlsAlpn(hostname));
        }
        TlsCertificates certs = configs.get().tls();
        CertificateContext c = certs.forSni(hostname, acceptsEcdsa); // Netty hands the name over in lower case
        if (c == null) {
            c = certs.named(defaults.name());
        }
        if (c != null) {
            return c.context(certs.ticketKeys(), ctx.executor());
        }
        return ctx.executor().newSucceededFuture(defaults.generated());
    }

    @Override
    protected void replaceHandler(ChannelHandlerContext ctx, String hostname, SslContext sslContext) throws Exception {
        if (ctx.isRemoved() || !ctx.channel().isActive()) {
            // The client left while its context compiled (the lookup completes later, on this loop): this handler is
            // gone from the pipeline, so a replace would throw NoSuchElementException and nobody is left to answer.
            // Nothing was built for this connection yet (the engine is made in super), and the context stays cached
            // in its CertificateContext for the next handshake, so there is nothing to release.
            return;
        }
        if (sslContext == null) {
            ctx.fireUserEventTriggered(sawClientHello ? TlsMeter.UNRECOGNIZED_NAME : TlsMeter.NOT_TLS);
            ctx.writeAndFlush(Unpooled.wrappedBuffer(UNRECOGNIZED_NAME)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        super.replaceHandler(ctx, hostname, sslContext);
    }
}
