package io.edgeway.dataplane.control;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The node's client identity, replaceable at any time: a renewed certificate is used by the next handshake,
 * while connections already open (the config stream) keep going on the one they started with.
 */
final class SwappableKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "node";

    record Identity(PrivateKey key, X509Certificate[] chain) {
        @Override
        public String toString() {
            return "Identity[key=***, subject=" + chain[0].getSubjectX500Principal() + "]"; // never the key
        }
    }

    private final AtomicReference<Identity> current = new AtomicReference<>();

    void set(PrivateKey key, X509Certificate... chain) {
        current.set(new Identity(key, chain.clone()));
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return current.get() == null ? null : ALIAS;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return current.get() == null ? null : ALIAS;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return current.get() == null ? null : new String[] {ALIAS};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Identity id = current.get();
        return id == null || !ALIAS.equals(alias) ? null : id.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Identity id = current.get();
        return id == null || !ALIAS.equals(alias) ? null : id.key();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
