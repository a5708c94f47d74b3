package io.edgeway.dataplane.tls;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After the handshake: ALPN "h2" turns the connection over to the proxy's HTTP/2 pipeline; "http/1.1" or no
 * ALPN keeps the HTTP/1.1 pipeline that is already in place. Bytes that arrived with the handshake's last
 * flight are held until then and passed on to whichever pipeline serves.
 */
final class AlpnSwitch extends ApplicationProtocolNegotiationHandler {
    private static final Logger log = LoggerFactory.getLogger(AlpnSwitch.class);
    private final Consumer<ChannelHandlerContext> toH2;

    AlpnSwitch(Consumer<ChannelHandlerContext> toH2) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.toH2 = toH2;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            toH2.accept(ctx);
        } else if (AcmeTlsAlpn.PROTOCOL.equals(protocol)) {
            ctx.close(); // the validation is the handshake itself (RFC 8737 3): nothing follows it
        }
    }

    /** Scanners and old clients fail handshakes all day: not worth a warning each. */
    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("tls handshake failed from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
