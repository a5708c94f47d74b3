package io.edgeway.dataplane.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS from the proxy to one upstream's targets, compiled once per config: a client context offering ALPN
 * {@code http/1.1} for HTTP/1.1 connections and one offering {@code h2} for HTTP/2 ones (h2c upstreams and
 * gRPC streams). With {@code verify} the chain is checked against the upstream's CA bundle, or the JDK's
 * default trust store without one, and the certificate must name the SNI (or the target's host).
 */
public final class UpstreamTls {
    private final Identity identity;
    private final SslContext http1;
    private final SslContext h2;

    /**
     * What decides whether a connection may serve another upstream too: same target address and same
     * identity means the same checks were made, so pooled connections are keyed by both.
     */
    public record Identity(boolean verify, String sni, String caPem) {}

    private UpstreamTls(Identity identity, SslContext http1, SslContext h2) {
        this.identity = identity;
        this.http1 = http1;
        this.h2 = h2;
    }

    /**
     * The contexts for these settings; {@code sni} and {@code caPem} empty or null when not set. Throws
     * IllegalArgumentException naming what is wrong with {@code caPem} (never its content).
     */
    public static UpstreamTls compile(boolean verify, String sni, String caPem) {
        return compile(verify, sni, caPem, null);
    }

    /**
     * As above, but returns {@code previous} (the same upstream's in the running config) when its settings
     * are the same: a snapshot then costs no context builds, and sessions cached by its contexts survive.
     */
    public static UpstreamTls compile(boolean verify, String sni, String caPem, UpstreamTls previous) {
        sni = sni == null || sni.isEmpty() ? null : sni;
        caPem = caPem == null || caPem.isBlank() ? null : caPem;
        if (previous != null && previous.identity.equals(new Identity(verify, sni, caPem))) {
            return previous;
        }
        List<X509Certificate> anchors = caPem == null ? null : anchors(caPem);
        try {
            return new UpstreamTls(new Identity(verify, sni, caPem),
                    context(verify, anchors, ApplicationProtocolNames.HTTP_1_1),
                    context(verify, anchors, ApplicationProtocolNames.HTTP_2));
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot build a TLS client context: " + e.getMessage(), e);
        }
    }

    private static SslContext context(boolean verify, List<X509Certificate> anchors, String alpn) throws SSLException {
        SslContextBuilder b = SslContextBuilder.forClient()
                .sslProvider(TlsEngine.provider())
                .protocols(TlsPolicy.PROTOCOLS)
                .applicationProtocolConfig(new ApplicationProtocolConfig(Protocol.ALPN,
                        SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT, alpn));
        if (verify) {
            if (anchors == null) {
                b.trustManager(DefaultTrust.FACTORY);
            } else {
                b.trustManager(anchors.toArray(X509Certificate[]::new));
            }
            b.endpointIdentificationAlgorithm("HTTPS");
        } else {
            b.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
        }
        return b.build();
    }

    /** The JDK's default trust store (cacerts), read once per process rather than once per context. */
    private static final class DefaultTrust {
        static final TrustManagerFactory FACTORY = load();

        private static TrustManagerFactory load() {
            try {
                TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                f.init((KeyStore) null);
                return f;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK's default trust store cannot be loaded", e);
            }
        }
    }

    private static List<X509Certificate> anchors(String pem) {
        if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException("no -----BEGIN CERTIFICATE----- block (expected: PEM certificates)");
        }
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException("no certificate (expected: PEM certificates)");
            }
            return out;
        } catch (CertificateException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage() != null
                    && iae.getMessage().startsWith("no certificate")) {
                throw iae;
            }
            throw new IllegalArgumentException("does not parse (expected: PEM certificates)");
        }
    }

    public Identity identity() {
        return identity;
    }

    /**
     * A handler for a new connection to {@code host:port}: it sends the SNI (the configured one, else the
     * host when it is a name; engines send none for an IP) and verifies the certificate against that name.
     */
    public SslHandler newHandler(ByteBufAllocator alloc, String host, int port, boolean http2, long handshakeTimeoutMillis) {
        String peer = identity.sni() != null ? identity.sni()
                : host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        SslHandler h = (http2 ? h2 : http1).newHandler(alloc, peer, port);
        h.setHandshakeTimeoutMillis(Math.max(1, handshakeTimeoutMillis));
        return h;
    }

    /** Never the CA bundle: a snapshot's content stays out of logs. */
    @Override
    public String toString() {
        return "UpstreamTls[verify=" + identity.verify() + ", sni=" + identity.sni() + ", ca=" + (identity.caPem() != null) + "]";
    }
}
