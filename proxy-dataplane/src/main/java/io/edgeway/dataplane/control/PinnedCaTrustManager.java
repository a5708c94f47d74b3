package io.edgeway.dataplane.control;

import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The first connection of a joining proxy, before it trusts anything: the server must send a CA certificate
 * whose public key hashes to the pin in the join token, and its certificate must chain to that CA (with the
 * usual name check). A man in the middle without the CA's key cannot pass, as with kubeadm's CA cert hash.
 */
final class PinnedCaTrustManager extends ClientSideTrustManager {
    private final String pin;

    PinnedCaTrustManager(String pin) {
        this.pin = pin;
    }

    /** The CA in {@code chain} matching the pin. */
    @Override
    X509ExtendedTrustManager delegateFor(X509Certificate[] chain) throws CertificateException {
        for (X509Certificate c : chain) {
            if (c.getBasicConstraints() >= 0 && Pems.caPin(c).equals(pin)) {
                return pkix(c);
            }
        }
        throw new CertificateException("the control plane's CA does not match the join token's pin"
                + " (wrong control plane address, or someone in between)");
    }

    static X509ExtendedTrustManager pkix(X509Certificate ca) {
        try {
            for (TrustManager tm : KeyMaterial.trustManagers(ca)) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    return x;
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PKIX trust manager", e);
        }
        throw new IllegalStateException("the JDK offers no X509ExtendedTrustManager");
    }
}
