package io.edgeway.controlplane.tls;

import java.nio.file.Path;
import java.util.Map;

/**
 * The admin API over HTTPS: EDGEWAY_ADMIN_TLS_CERT_FILE (PEM chain, leaf first) and EDGEWAY_ADMIN_TLS_KEY_FILE
 * (PEM private key). Null when neither is set (plain HTTP: on loopback, or behind a load balancer that terminates TLS).
 */
public record AdminTls(Path certFile, Path keyFile) {
    public static AdminTls fromEnv(Map<String, String> env) {
        String cert = env.get("EDGEWAY_ADMIN_TLS_CERT_FILE");
        String key = env.get("EDGEWAY_ADMIN_TLS_KEY_FILE");
        boolean hasCert = cert != null && !cert.isBlank();
        boolean hasKey = key != null && !key.isBlank();
        if (hasCert != hasKey) {
            throw new IllegalArgumentException("EDGEWAY_ADMIN_TLS_CERT_FILE and EDGEWAY_ADMIN_TLS_KEY_FILE: set both or neither");
        }
        return hasCert ? new AdminTls(Path.of(cert.trim()), Path.of(key.trim())) : null;
    }
}
