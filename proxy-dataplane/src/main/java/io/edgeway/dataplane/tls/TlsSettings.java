package io.edgeway.dataplane.tls;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * The TLS listener's settings. EDGEWAY_TLS_PORT (default 8443; 0 = ephemeral) and, for handshakes no pushed
 * certificate names, {@link DefaultCertificate}'s EDGEWAY_TLS_DEFAULT_CERTIFICATE and EDGEWAY_TLS_SELF_SIGNED.
 */
public record TlsSettings(int port, DefaultCertificate defaults) {
    public TlsSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("EDGEWAY_TLS_PORT: " + port + " (expected: 0-65535)");
        }
        requireNonNull(defaults, "defaults");
    }

    /** An ephemeral port and no default certificate. */
    public static TlsSettings forTest() {
        return new TlsSettings(0, DefaultCertificate.NONE);
    }

    public static TlsSettings from(Map<String, String> env) {
        String port = env.getOrDefault("EDGEWAY_TLS_PORT", "8443").trim();
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("EDGEWAY_TLS_PORT: " + port + " (expected: an integer)");
        }
        return new TlsSettings(p, DefaultCertificate.from(env));
    }
}
