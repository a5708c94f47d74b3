package io.edgeway.dataplane.control;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly the control plane CA the proxy holds (from its join), nothing before it has one. Delegates to
 * the JDK's PKIX manager, which also checks the server's name against the address dialled.
 */
final class SwappableTrustManager extends X509ExtendedTrustManager {
    private final AtomicReference<X509ExtendedTrustManager> current = new AtomicReference<>();

    void trust(X509Certificate ca) {
        current.set(PinnedCaTrustManager.pkix(ca));
    }

    private X509ExtendedTrustManager delegate() throws CertificateException {
        X509ExtendedTrustManager tm = current.get();
        if (tm == null) {
            throw new CertificateException("no control plane CA yet (the proxy has not joined)");
        }
        return tm;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        delegate().checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        delegate().checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate().checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("a client-only trust manager");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("a client-only trust manager");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a client-only trust manager");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        X509ExtendedTrustManager tm = current.get();
        return tm == null ? new X509Certificate[0] : tm.getAcceptedIssuers();
    }
}
