package io.edgeway.controlplane.tls;

import io.edgeway.dataplane.control.Pems;
import io.javalin.config.JavalinConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Consumer;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/** The admin API's one connector, HTTPS instead of HTTP, from PEM files (TLS 1.2 and 1.3 only). */
public final class AdminHttps {
    private AdminHttps() {}

    /** Adds the HTTPS connector on {@code host:port}; Javalin then adds no plain one. */
    public static Consumer<JavalinConfig> connector(AdminTls tls, String host, int port) throws IOException {
        KeyStore keyStore;
        try {
            List<X509Certificate> chain = Pems.certificates(Files.readString(tls.certFile(), StandardCharsets.US_ASCII));
            PrivateKey key = Pems.privateKey(Files.readString(tls.keyFile(), StandardCharsets.US_ASCII));
            keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry("admin", key, new char[0], chain.toArray(X509Certificate[]::new));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("EDGEWAY_ADMIN_TLS_CERT_FILE/EDGEWAY_ADMIN_TLS_KEY_FILE ("
                    + tls.certFile() + ", " + tls.keyFile() + "): " + e.getMessage(), e);
        }
        KeyStore ks = keyStore;
        return c -> c.jetty.addConnector((server, http) -> {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStore(ks);
            ssl.setKeyStorePassword("");
            ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
            // The name check belongs to the client; an operator may reach the API by IP or an internal name.
            http.addCustomizer(new SecureRequestCustomizer(false));
            ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
                    new HttpConnectionFactory(http));
            connector.setHost(host);
            connector.setPort(port);
            return connector;
        });
    }
}
