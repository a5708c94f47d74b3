package io.edgeway.dataplane.control;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly the control plane CA the proxy holds (from its join), nothing before it has one. Delegates to
 * the JDK's PKIX manager, which also checks the server's name against the address dialled.
 */
final class SwappableTrustManager extends ClientSideTrustManager {
    private final AtomicReference<X509ExtendedTrustManager> current = new AtomicReference<>();

    void trust(X509Certificate ca) {
        current.set(PinnedCaTrustManager.pkix(ca));
    }

    @Override
    X509ExtendedTrustManager delegateFor(X509Certificate[] chain) throws CertificateException {
        X509ExtendedTrustManager tm = current.get();
        if (tm == null) {
            throw new CertificateException("no control plane CA yet (the proxy has not joined)");
        }
        return tm;
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        X509ExtendedTrustManager tm = current.get();
        return tm == null ? new X509Certificate[0] : tm.getAcceptedIssuers();
    }
}
