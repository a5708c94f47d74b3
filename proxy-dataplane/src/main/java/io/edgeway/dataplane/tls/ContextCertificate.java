package io.edgeway.dataplane.tls;

import io.netty.handler.ssl.OpenSslCredential;
import io.netty.handler.ssl.OpenSslCredentialBuilder;
import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.internal.tcnative.SSLContext;
import java.io.ByteArrayInputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a context's one certificate on the BoringSSL context itself (an SSL_CREDENTIAL), as nginx does with
 * {@code ssl_certificate}, instead of Netty's certificate callback. With BoringSSL Netty always takes its
 * key-manager path: a Java callback on every handshake, resumed ones too, that asks a JDK key manager for an
 * alias and sets the chain and key on the connection (with the default useTasks, a delegated task and one
 * more turn of the handshake loop). Our contexts hold exactly one certificate, chosen per connection before
 * the context is (SNI and key type in {@link SniSelector}), so there is nothing to choose per handshake.
 *
 * <p>Uses Netty's public credential API and clears the callback through tcnative, given Netty's context
 * handle (a protected field, read once by reflection). Where any of these is missing (the JDK engine, an
 * OpenSSL without credentials, another Netty) the context is built as Netty builds it.
 */
final class ContextCertificate {
    private static final Logger log = LoggerFactory.getLogger(ContextCertificate.class);
    /**
     * Netty's handle of the tcnative context, the pointer tcnative's SSLContext calls take. Its public
     * sslCtxPointer() is the raw SSL_CTX instead, which tcnative must not be given (it crashed the JVM).
     */
    private static final Field TCN_CONTEXT = tcnContextField();

    private ContextCertificate() {}

    /** True when contexts are BoringSSL ones that take a credential: checked once per build, cheaply. */
    static boolean available() {
        return TCN_CONTEXT != null && TlsEngine.openSsl() && OpenSslCredential.isAvailable();
    }

    /**
     * Builds {@code builder} (made with {@code forServer(key, chain)}) with the same key and chain as the
     * context's credential, then drops Netty's per-handshake certificate callback.
     */
    static SslContext build(SslContextBuilder builder, PrivateKey key, X509Certificate[] chain) throws SSLException {
        OpenSslCredential credential = OpenSslCredentialBuilder.forX509(key, chain).build();
        try {
            SslContext ctx = builder.addCredential(credential).build();
            if (ctx instanceof ReferenceCountedOpenSslContext openSsl) {
                // The SSL_CTX now serves the credential to every connection; without the callback BoringSSL
                // never calls into Java to pick a certificate. Not shared yet: no handshake runs on it.
                SSLContext.setCertificateCallback(TCN_CONTEXT.getLong(openSsl), null);
            } else {
                log.debug("context {} is not an OpenSSL one: certificate callback kept", ctx.getClass().getName());
            }
            return ctx;
        } catch (IllegalAccessException e) {
            throw new SSLException("tcnative context not readable", e);
        } finally {
            credential.release(); // the context holds its own reference
        }
    }

    private static Field tcnContextField() {
        try {
            Field f = ReferenceCountedOpenSslContext.class.getDeclaredField("ctx");
            if (f.getType() != long.class) {
                return null;
            }
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.info("tls: Netty's context handle is not reachable ({}); certificates stay behind Netty's callback",
                    e.toString());
            return null;
        }
    }

    /** The chain, leaf first, from the PEM text {@link ParsedCertificate} checked. */
    static X509Certificate[] chain(String chainPem) throws GeneralSecurityException {
        return CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(chainPem.getBytes(StandardCharsets.US_ASCII)))
                .stream().map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
    }

    /** The PKCS#8 key (the only form {@link ParsedCertificate} accepts), of the leaf's key algorithm. */
    static PrivateKey key(String keyPem, X509Certificate leaf) throws GeneralSecurityException {
        String body = keyPem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance(leaf.getPublicKey().getAlgorithm())
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
    }
}
