package io.edgeway.dataplane.warmup;

import io.edgeway.dataplane.config.InvalidConfigException;
import io.edgeway.dataplane.config.RuntimeConfig;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warm-up's certificate drill (issues 14 and 21): checks {@link #CERTIFICATES} new certificates as one
 * snapshot, {@link #ROUNDS} times, on a daemon thread of its own, so that the parsing and key-matching code is
 * compiled before the proxy is ready, from the gzipped bytes the config stream would deliver ({@link WireSnapshot})
 * so that inflating, parsing and decoding a certificate-heavy snapshot are compiled too. A fresh proxy's first apply of 10,000 new certificates spent about as much
 * CPU in the JIT as in the checks themselves; 4,000 checks here cost a few hundred ms of CPU, once, at start.
 * The configs it builds are dropped: nothing it checks is ever served.
 */
final class CertificateDrill {
    private static final Logger log = LoggerFactory.getLogger(CertificateDrill.class);
    static final int CERTIFICATES = 1_000;
    static final int ROUNDS = 4;

    private final AtomicInteger checked = new AtomicInteger();
    private volatile boolean stopped;
    private volatile boolean done;

    /** Starts the drill on its own thread; returns at once. */
    static CertificateDrill start(WarmupTls tls) {
        CertificateDrill d = new CertificateDrill();
        Thread t = new Thread(() -> d.run(tls), "edgeway-warmup-certificates");
        t.setDaemon(true);
        t.start();
        return d;
    }

    private void run(WarmupTls tls) {
        try {
            byte[] wire = WireSnapshot.gzipped(tls.certificateDrill(CERTIFICATES));
            for (int i = 0; i < ROUNDS && !stopped; i++) {
                // parsed from its wire form every round, as a received snapshot is (see WireSnapshot); new to NONE
                // each time, so every certificate is checked
                RuntimeConfig.from(WireSnapshot.parse(wire), RuntimeConfig.NONE);
                checked.addAndGet(CERTIFICATES);
            }
        } catch (InvalidConfigException | RuntimeException e) {
            log.warn("warm-up certificate drill failed (readiness is not held for it): {}", e.toString());
        } finally {
            done = true;
        }
    }

    /** Ends it after the round under way (the warm-up is ending). */
    void stop() {
        stopped = true;
    }

    boolean done() {
        return done;
    }

    /** Certificates checked so far. */
    int checked() {
        return checked.get();
    }
}
