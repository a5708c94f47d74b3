package io.edgeway.dataplane.control;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/** JDK key and trust managers from in-memory keys and certificates (no keystore files). */
public final class KeyMaterial {
    private static final char[] NO_PASSWORD = new char[0];

    private KeyMaterial() {}

    public static KeyManager[] keyManagers(PrivateKey key, X509Certificate... chain) throws GeneralSecurityException {
        KeyStore ks = empty();
        ks.setKeyEntry("key", key, NO_PASSWORD, chain);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, NO_PASSWORD);
        return kmf.getKeyManagers();
    }

    /** PKIX trust with exactly these anchors: nothing from the JDK's cacerts. */
    public static TrustManager[] trustManagers(X509Certificate... anchors) throws GeneralSecurityException {
        KeyStore ks = empty();
        for (int i = 0; i < anchors.length; i++) {
            ks.setCertificateEntry("ca" + i, anchors[i]);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ks);
        return tmf.getTrustManagers();
    }

    private static KeyStore empty() throws GeneralSecurityException {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            return ks;
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
    }
}
