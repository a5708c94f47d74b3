package io.edgeway.dataplane.tls;

import static java.util.Objects.requireNonNull;

import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server context of one checked certificate (chain and key already parsed and matched by
 * {@link ParsedCertificate}), compiled on the first handshake that needs it rather than when the snapshot
 * applies: a proxy holding 10,000 certificates pays for the few its clients name, not for all of them (an
 * OpenSSL context holds native memory, and compiling one costs about as much as a handshake). An instance is
 * keyed by the certificate's fingerprint and carried over to the next snapshot while the chain and key are
 * unchanged, so neither the checks nor the compiled context are repeated.
 *
 * <p>All compiling and ticket-key setting runs on one background thread, never on an event loop; a handshake
 * whose context is ready (the usual case) reads two volatile fields. Holds the PEM text the snapshot brought,
 * not parsed objects, so an unused certificate costs about its size in the snapshot.
 */
final class CertificateContext {
    private static final Logger log = LoggerFactory.getLogger(CertificateContext.class);
    /**
     * One daemon thread: compiling is rare (first use of a name), and one at a time bounds its CPU. Package-private
     * so a test can hold it with a task of its own, making a compile late as a slow one would.
     */
    static final ExecutorService BUILDER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "tls-context-builder");
        t.setDaemon(true);
        return t;
    });

    private final String name;
    private final String fingerprint;
    private final String keyType;
    private final String chainPem;
    private final String keyPem;
    private volatile SslContext compiled;           // written by the builder thread only
    private volatile TicketKeys keysSet = TicketKeys.NONE;
    private volatile boolean refused;               // the engine refused it once: not retried per handshake

    CertificateContext(String name, String fingerprint, String keyType, String chainPem, String keyPem) {
        this.name = requireNonNull(name, "name");
        this.fingerprint = requireNonNull(fingerprint, "fingerprint");
        this.keyType = requireNonNull(keyType, "keyType");
        this.chainPem = requireNonNull(chainPem, "chainPem");
        this.keyPem = requireNonNull(keyPem, "keyPem");
    }

    String name() {
        return name;
    }

    String fingerprint() {
        return fingerprint;
    }

    String keyType() {
        return keyType;
    }

    /** Compiled at all yet (for tests and the log: how many of a snapshot's certificates were ever used). */
    boolean isCompiled() {
        return compiled != null;
    }

    /**
     * The context with {@code keys} set on it, completed on {@code loop} (the handshake's event loop): at once
     * when ready, else once the builder thread has compiled it or set the keys of a newer snapshot.
     */
    Future<SslContext> context(TicketKeys keys, EventExecutor loop) {
        SslContext ready = compiled;
        if (ready != null && keysSet == keys) {
            return loop.newSucceededFuture(ready);
        }
        if (refused) {
            return loop.newFailedFuture(new IllegalStateException("certificate " + name + " refused by the TLS engine"));
        }
        Promise<SslContext> promise = loop.newPromise();
        BUILDER.execute(() -> {
            try {
                promise.setSuccess(onBuilder(keys));
            } catch (Exception | LinkageError e) {
                refused = true;
                // the engine's message is not quoted: it could describe key material
                log.error("certificate {} refused by the TLS engine ({}); handshakes naming it fail",
                        name, e.getClass().getSimpleName());
                promise.setFailure(new IllegalStateException("certificate " + name + " refused by the TLS engine"));
            }
        });
        return promise;
    }

    /** Compiles now, on the calling thread: for the proxy's own self-signed certificate at start only. */
    SslContext compileNow(TicketKeys keys) throws Exception {
        return BUILDER.submit(() -> onBuilder(keys)).get();
    }

    private SslContext onBuilder(TicketKeys keys) throws Exception {
        SslContext c = compiled;
        if (c == null) {
            c = ContextFactory.server(chainPem, keyPem);
        }
        if (keysSet != keys) {
            keys.applyTo(c);
        }
        keysSet = keys;   // before compiled: a reader that sees compiled also sees these keys set
        compiled = c;
        return c;
    }

    @Override
    public String toString() {
        return "CertificateContext[" + name + ", " + keyType + (compiled != null ? ", compiled" : "") + "]";
    }
}
