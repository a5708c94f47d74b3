package io.edgeway.dataplane.tls;

import java.util.List;

/**
 * The protocol policy of the TLS listener: TLS 1.2 and 1.3 only, and Mozilla's "intermediate" cipher list
 * (https://ssl-config.mozilla.org, guidelines 5.7), in its order. Every suite is AEAD with forward secrecy,
 * so all of them are also acceptable to HTTP/2 (RFC 7540 appendix A). Suites an engine lacks (BoringSSL has
 * no finite-field DHE) are left out by Netty's supported-suite filter.
 */
public final class TlsPolicy {
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    public static final List<String> MOZILLA_INTERMEDIATE = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    /** ALPN, in the server's order of preference. */
    public static final List<String> ALPN = List.of("h2", "http/1.1");

    private TlsPolicy() {}
}
