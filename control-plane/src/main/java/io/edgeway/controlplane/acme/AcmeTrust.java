package io.edgeway.controlplane.acme;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.connector.HttpConnector;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.provider.GenericAcmeProvider;

/**
 * The TLS trust of ACME calls: the system's roots plus, when EDGEWAY_ACME_CA_FILE is set, the roots in that PEM
 * file, for these calls only (the JVM's default trust, used elsewhere, is not touched). acme4j builds its
 * {@link HttpClient} through the provider's {@link HttpConnector}; ours adds this SSL context.
 */
final class AcmeTrust {
    private final SSLContext sslContext;

    private AcmeTrust(SSLContext sslContext) {
        this.sslContext = sslContext;
    }

    static AcmeTrust of(Path caFile) {
        try {
            if (caFile == null) {
                return new AcmeTrust(SSLContext.getDefault());
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (X509TrustManager system : systemTrust()) {
                for (X509Certificate root : system.getAcceptedIssuers()) {
                    store.setCertificateEntry("system-" + i++, root);
                }
            }
            for (Certificate root : read(caFile)) {
                store.setCertificateEntry("acme-ca-" + i++, root);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return new AcmeTrust(ctx);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("EDGEWAY_ACME_CA_FILE: " + caFile + ": " + e.getMessage()
                    + " (expected: a readable PEM file of CA certificates)", e);
        }
    }

    /** A session with the directory at {@code directory}, over this trust. */
    Session session(URI directory) {
        return new Session(directory, new GenericAcmeProvider() {
            @Override
            protected HttpConnector createHttpConnector(NetworkSettings settings) {
                return new HttpConnector(settings) {
                    @Override
                    public HttpClient.Builder createClientBuilder() {
                        return super.createClientBuilder().sslContext(sslContext);
                    }
                };
            }
        });
    }

    private static List<X509TrustManager> systemTrust() throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
        List<X509TrustManager> out = new ArrayList<>();
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                out.add(x);
            }
        }
        return out;
    }

    private static List<? extends Certificate> read(Path pem) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            List<? extends Certificate> certs = new ArrayList<>(CertificateFactory.getInstance("X.509").generateCertificates(in));
            if (certs.isEmpty()) {
                throw new GeneralSecurityException("no certificate in it");
            }
            return certs;
        }
    }
}
