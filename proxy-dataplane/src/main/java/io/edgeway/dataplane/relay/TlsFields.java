package io.edgeway.dataplane.relay;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLSession;

/** A client connection's TLS protocol version and requested server name, for the access log. */
public final class TlsFields {
    private static final String[] PLAIN = {null, null};

    private TlsFields() {}

    /** {version, sni}; both null on a plain connection, sni null when the client sent none. */
    public static String[] of(Channel ch) {
        // An HTTP/2 stream's connection has the TLS (a connection's own parent is the listening socket).
        Channel conn = ch instanceof Http2StreamChannel ? ch.parent() : ch;
        SslHandler ssl = conn.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return PLAIN;
        }
        SSLSession session = ssl.engine().getSession();
        String sni = null;
        if (session instanceof ExtendedSSLSession ext) {
            try {
                List<SNIServerName> names = ext.getRequestedServerNames();
                for (SNIServerName n : names) {
                    if (n instanceof SNIHostName host) {
                        sni = host.getAsciiName();
                    }
                }
            } catch (RuntimeException e) {
                sni = null; // an engine that does not keep it (UnsupportedOperationException)
            }
        }
        return new String[] {session.getProtocol(), sni};
    }
}
