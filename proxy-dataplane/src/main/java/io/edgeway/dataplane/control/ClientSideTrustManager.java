package io.edgeway.dataplane.control;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A trust manager for the proxy's side of the control channel, where only servers are checked: each check
 * goes to the PKIX manager {@link #delegateFor} picks for the chain, and any client check fails.
 */
abstract class ClientSideTrustManager extends X509ExtendedTrustManager {
    /** The manager that judges {@code chain}; throws when none may. */
    abstract X509ExtendedTrustManager delegateFor(X509Certificate[] chain) throws CertificateException;

    @Override
    public final void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        delegateFor(chain).checkServerTrusted(chain, authType, engine);
    }

    @Override
    public final void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        delegateFor(chain).checkServerTrusted(chain, authType, socket);
    }

    @Override
    public final void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegateFor(chain).checkServerTrusted(chain, authType);
    }

    @Override
    public final void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("a client-only trust manager");
    }

    @Override
    public final void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("a client-only trust manager");
    }

    @Override
    public final void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a client-only trust manager");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
