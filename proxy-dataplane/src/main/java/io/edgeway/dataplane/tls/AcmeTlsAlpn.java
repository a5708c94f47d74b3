package io.edgeway.dataplane.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLException;

/** The server context of one TLS-ALPN-01 challenge (RFC 8737): its certificate, and ALPN "acme-tls/1" alone. */
public final class AcmeTlsAlpn {
    public static final String PROTOCOL = "acme-tls/1";

    private AcmeTlsAlpn() {}

    public static SslContext context(String certPem, String keyPem) throws SSLException {
        return SslContextBuilder.forServer(new ByteArrayInputStream(certPem.getBytes(StandardCharsets.US_ASCII)),
                        new ByteArrayInputStream(keyPem.getBytes(StandardCharsets.US_ASCII)))
                .sslProvider(TlsEngine.provider())
                .protocols(TlsPolicy.PROTOCOLS)
                // a client that does not offer acme-tls/1 never reaches this context (SniSelector)
                .applicationProtocolConfig(new ApplicationProtocolConfig(Protocol.ALPN,
                        SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT, PROTOCOL))
                .build();
    }
}
