package io.edgeway.dataplane.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;

/** Builds the server context of one certificate, with the policy every context of the proxy shares ({@link TlsPolicy}). */
final class ContextFactory {
    private ContextFactory() {}

    static SslContext server(ParsedCertificate c) throws SSLException {
        return SslContextBuilder.forServer(c.key(), c.chain().toArray(X509Certificate[]::new))
                .sslProvider(TlsEngine.provider())
                .protocols(TlsPolicy.PROTOCOLS)
                .ciphers(TlsPolicy.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(Protocol.ALPN,
                        SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT, TlsPolicy.ALPN))
                .build();
    }
}
