package io.edgeway.controlplane.acme;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.discovery.Convergence;
import io.edgeway.controlplane.model.Certificate;
import io.edgeway.controlplane.model.Pem;
import io.edgeway.controlplane.model.Stored;
import io.edgeway.controlplane.store.AcmeStatus;
import io.edgeway.controlplane.store.AcmeStore;
import io.edgeway.controlplane.store.AdvisoryLock;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.exception.AcmeNotSupportedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet's one ACME client. Every replica runs this worker, but only the one holding the PostgreSQL advisory
 * lock works: it looks for due managed certificates every {@link AcmeSettings#poll} and runs their orders one
 * at a time. When it dies its session ends, the lock is free, and another replica's next poll takes over,
 * resuming the order in progress (see {@link AcmeOrder}). A failure is recorded with the CA's message and
 * retried after an exponential backoff; the certificate served until then stays in place.
 */
public final class AcmeWorker implements AutoCloseable {
    /** The advisory lock's key: "edgeway" + 1, in one 64-bit number. */
    static final long LOCK_KEY = 0x6564676577617901L;
    private static final Logger log = LoggerFactory.getLogger(AcmeWorker.class);

    private final AcmeStore store;
    private final AcmeOrder orders;
    private final AcmeAccounts accounts;
    private final AcmeSettings settings;
    private final AdvisoryLock lock;
    private final Clock clock;
    private final ScheduledExecutorService thread;
    private final java.util.concurrent.ExecutorService orderPool;
    private final java.util.Set<String> inFlight = ConcurrentHashMap.newKeySet();
    // ARI's suggested window start by leaf fingerprint (absent: not asked yet; empty: the CA does not offer it)
    private final Map<String, java.util.Optional<Instant>> ariWindows = new ConcurrentHashMap<>();

    public AcmeWorker(AcmeStore store, Convergence fleet, AcmeSettings settings, Clock clock) {
        this.store = requireNonNull(store, "store");
        this.settings = requireNonNull(settings, "settings");
        this.clock = requireNonNull(clock, "clock");
        this.accounts = new AcmeAccounts(store, AcmeTrust.of(settings.caFile()));
        this.orders = new AcmeOrder(store, accounts, fleet, settings);
        this.lock = new AdvisoryLock(store.db(), LOCK_KEY);
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "edgeway-acme");
            t.setDaemon(true);
            return t;
        });
        this.orderPool = Executors.newFixedThreadPool(settings.concurrency(), r -> {
            Thread t = new Thread(r, "edgeway-acme-order");
            t.setDaemon(true);
            return t;
        });
    }

    public AcmeWorker start() {
        long ms = settings.poll().toMillis();
        thread.scheduleWithFixedDelay(this::tick, ms, ms, TimeUnit.MILLISECONDS);
        return this;
    }

    /** One look at the due work, if this replica holds the lock. */
    void tick() {
        try {
            if (!lock.tryAcquire()) {
                return;
            }
            Map<String, AcmeStatus> statuses = store.statuses();
            for (Stored<Certificate> s : store.managed()) {
                if (Thread.currentThread().isInterrupted() || !lock.tryAcquire()) {
                    return;
                }
                String name = s.value().name();
                if (dueReason(s.value(), statuses.getOrDefault(name, AcmeStatus.PENDING)) == null || !inFlight.add(name)) {
                    continue;
                }
                orderPool.execute(() -> {
                    try {
                        // Read again now that no other order of this certificate runs: the tick's read may predate
                        // an order that has just finished, and acting on it would order the certificate twice.
                        Stored<Certificate> fresh = store.managed(name);
                        AcmeStatus status = store.status(name);
                        String why = fresh == null ? null : dueReason(fresh.value(), status);
                        if (why != null && lock.isHeld()) {
                            attempt(fresh.value(), status, why);
                        }
                    } catch (RuntimeException e) {
                        log.warn("certificate {}: order attempt failed; retried at the next poll", name, e);
                    } finally {
                        inFlight.remove(name);
                    }
                });
            }
        } catch (RuntimeException e) {
            log.warn("acme: tick failed; retried at the next poll", e);
        }
    }

    /** Why {@code cert} needs an order now; null when it does not (or is backing off). */
    private String dueReason(Certificate cert, AcmeStatus status) {
        Instant now = clock.instant();
        if (status.nextAttemptAt() != null && now.isBefore(status.nextAttemptAt())) {
            return null; // backing off, or waiting for the issuer's budget
        }
        String why = Renewal.due(cert, status.renewRequested(), ariWindowStart(cert), now);
        return why != null ? why : status.orderUrl() != null ? "order in progress" : null;
    }

    private void attempt(Certificate cert, AcmeStatus status, String why) {
        String name = cert.name();
        log.info("certificate {}: ordering ({})", name, why);
        String working = cert.cert() == null ? "pending" : "renewing";
        AcmeStatus running = new AcmeStatus(working, status.lastError(), null, status.failures(), status.renewRequested(),
                status.orderUrl(), status.orderSnis());
        store.saveStatus(name, running);
        try {
            orders.run(cert, running);
            store.saveStatus(name, new AcmeStatus("valid", null, null, 0, false, null, null));
        } catch (AcmeOrder.BudgetExhausted e) {
            Instant retry = clock.instant().plus(settings.budgetWindow().dividedBy(Math.max(1, settings.budget())));
            store.saveStatus(name, new AcmeStatus(working, e.getMessage(), retry, status.failures(),
                    status.renewRequested(), null, null));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (AcmeException | RuntimeException e) {
            int failures = status.failures() + 1;
            Instant next = clock.instant().plus(settings.backoffAfter(failures));
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            log.warn("certificate {}: order failed ({}); next attempt at {}", name, message, next);
            // The order is dropped: the CA has usually marked it invalid, and a retry places a fresh one.
            store.saveStatus(name, new AcmeStatus("failed", message, next, failures, false, null, null));
        }
    }

    /** Where the CA's ACME Renewal Information (RFC 9773) starts the renewal window; null when not offered. */
    private Instant ariWindowStart(Certificate cert) {
        if (cert.cert() == null) {
            return null;
        }
        // Asked once per leaf: the window is fixed for a certificate unless the CA revokes it early, which a
        // replica restart (or the renew endpoint) picks up.
        return ariWindows.computeIfAbsent(cert.fingerprintSha256(), fp -> {
            try {
                return java.util.Optional.of(accounts.login(cert).bindRenewalInfo(Pem.certificate(cert.cert()).leaf())
                        .getSuggestedWindowStart());
            } catch (AcmeNotSupportedException e) {
                return java.util.Optional.empty();
            } catch (AcmeException | RuntimeException e) {
                log.info("certificate {}: renewal information not available ({})", cert.name(), e.getMessage());
                return java.util.Optional.empty();
            }
        }).orElse(null);
    }

    @Override
    public void close() {
        thread.shutdownNow();
        orderPool.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
            orderPool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lock.close();
    }
}
