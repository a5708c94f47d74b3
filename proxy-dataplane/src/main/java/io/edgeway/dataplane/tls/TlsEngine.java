package io.edgeway.dataplane.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which TLS engine the proxy runs: BoringSSL through netty-tcnative when its native library loads (several
 * times cheaper per handshake and per byte than the JDK's), the JDK's SSLEngine otherwise. Decided once per
 * process and logged, so an operator sees which one serves. {@code EDGEWAY_TLS_ENGINE=jdk} forces the JDK.
 */
public final class TlsEngine {
    private static final Logger log = LoggerFactory.getLogger(TlsEngine.class);
    private static final SslProvider PROVIDER = choose(System.getenv("EDGEWAY_TLS_ENGINE"));

    private TlsEngine() {}

    public static SslProvider provider() {
        return PROVIDER;
    }

    public static boolean openSsl() {
        return PROVIDER == SslProvider.OPENSSL;
    }

    /**
     * Loads the engine (BoringSSL's native library: a few hundred ms of one core) on a thread of its own, so
     * it overlaps the control channel's setup instead of delaying it; the TLS listener then finds it loaded.
     */
    public static void loadInBackground() {
        Thread t = new Thread(TlsEngine::provider, "edgeway-tls-load");
        t.setDaemon(true);
        t.start();
    }

    /** Logs the engine; called once when the TLS listener starts. */
    public static void logChoice() {
        log.info("tls suites {}", TlsPolicy.CIPHERS == TlsPolicy.MOZILLA_INTERMEDIATE ? "mozilla intermediate"
                : "from EDGEWAY_TLS_CIPHERS: " + TlsPolicy.CIPHERS);
        if (openSsl()) {
            log.info("tls engine openssl ({}), session ticket keys from the control plane", OpenSsl.versionString());
        } else {
            log.info("tls engine jdk{}; session tickets are per process (the JDK engine takes no ticket keys)",
                    OpenSsl.isAvailable() ? " (forced by EDGEWAY_TLS_ENGINE)" : " (openssl unavailable: "
                            + OpenSsl.unavailabilityCause() + ")");
        }
    }

    private static SslProvider choose(String setting) {
        if (setting != null && setting.equalsIgnoreCase("jdk")) {
            return SslProvider.JDK;
        }
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }
}
