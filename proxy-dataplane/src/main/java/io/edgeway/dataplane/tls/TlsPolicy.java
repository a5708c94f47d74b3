package io.edgeway.dataplane.tls;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

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
    /**
     * The TLS listener's suites: EDGEWAY_TLS_CIPHERS (comma-separated IANA names, in order of preference)
     * or {@link #MOZILLA_INTERMEDIATE}. Read once, like the proxy's other process-wide settings.
     */
    public static final List<String> CIPHERS = ciphers(System.getenv());
    private static final Pattern SUITE = Pattern.compile("TLS_[A-Z0-9_]{1,100}");

    /** ALPN, in the server's order of preference. */
    public static final List<String> ALPN = List.of("h2", "http/1.1");

    private TlsPolicy() {}

    static List<String> ciphers(Map<String, String> env) {
        String v = env.get("EDGEWAY_TLS_CIPHERS");
        if (v == null || v.isBlank()) {
            return MOZILLA_INTERMEDIATE;
        }
        List<String> suites = Arrays.stream(v.split(",")).map(String::trim).toList();
        for (String s : suites) {
            if (!SUITE.matcher(s).matches()) {
                throw new IllegalArgumentException("EDGEWAY_TLS_CIPHERS: " + s
                        + " (expected: IANA suite names like TLS_AES_128_GCM_SHA256, comma-separated)");
            }
        }
        return suites;
    }
}
