package io.edgeway.dataplane.tls;

/**
 * Which pushed certificate a handshake naming {@code host} gets ({@link TlsCertificates#explain}): {@code match} is
 * {@link #EXACT}, {@link #WILDCARD} (then {@code key} is the {@code *.suffix} it matched) or {@link #NONE}; the
 * ECDSA and RSA certificates serving that name (either may be null), and which of them a client offering ECDSA
 * and one offering only RSA would receive. With no match the proxy falls back to its own default certificate
 * setting ({@link DefaultCertificate}, per node), else refuses the handshake with {@code unrecognized_name}.
 */
public record SniExplanation(String host, String match, String key, String ecdsa, String rsa,
                             String forEcdsaClients, String forRsaOnlyClients) {
    public static final String EXACT = "exact";
    public static final String WILDCARD = "wildcard";
    public static final String NONE = "none";
}
