package io.edgeway.dataplane.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;

/** Builds the server context of one certificate, with the policy every context of the proxy shares ({@link TlsPolicy}). */
final class ContextFactory {
    private ContextFactory() {}

    /** From the PEM text {@link ParsedCertificate} checked: a PKCS#8 key and its chain, leaf first. */
    static SslContext server(String chainPem, String keyPem) throws SSLException {
        if (ContextCertificate.available()) {
            X509Certificate[] chain;
            PrivateKey key;
            try {
                chain = ContextCertificate.chain(chainPem);
                key = ContextCertificate.key(keyPem, chain[0]);
            } catch (GeneralSecurityException | RuntimeException e) {
                throw new SSLException("certificate or key not readable", e);
            }
            return ContextCertificate.build(policy(SslContextBuilder.forServer(key, chain)), key, chain);
        }
        return policy(SslContextBuilder.forServer(stream(chainPem), stream(keyPem))).build();
    }

    private static SslContextBuilder policy(SslContextBuilder builder) {
        return builder.sslProvider(TlsEngine.provider())
                .protocols(TlsPolicy.PROTOCOLS)
                .ciphers(TlsPolicy.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(Protocol.ALPN,
                        SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT, TlsPolicy.ALPN));
    }

    private static InputStream stream(String pem) {
        return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
    }
}
