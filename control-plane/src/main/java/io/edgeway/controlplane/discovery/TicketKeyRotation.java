package io.edgeway.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.Durations;
import io.edgeway.controlplane.store.SessionTicketKeys;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotates the TLS session ticket keys every EDGEWAY_TLS_TICKET_KEY_ROTATION (default 12h, at most 24h):
 * checks a few times per period (at most every 10 minutes) whether the newest key is older than that, and
 * adds one if so (a new revision: every proxy gets it). Every replica checks; the revision lock makes one
 * of them rotate.
 */
public final class TicketKeyRotation implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TicketKeyRotation.class);
    static final Duration DEFAULT_PERIOD = Duration.ofHours(12);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "edgeway-ticket-keys");
        t.setDaemon(true);
        return t;
    });

    private TicketKeyRotation(SessionTicketKeys keys, Duration period) {
        long checkMs = Math.max(1, Math.min(period.toMillis() / 4, Duration.ofMinutes(10).toMillis()));
        timer.scheduleWithFixedDelay(() -> {
            try {
                if (keys.rotateIfDue(period)) {
                    log.info("session ticket keys rotated");
                }
            } catch (RuntimeException e) {
                log.warn("session ticket key rotation failed; retried at the next check", e);
            }
        }, checkMs, checkMs, TimeUnit.MILLISECONDS);
    }

    public static Duration period(Map<String, String> env) {
        String text = env.get("EDGEWAY_TLS_TICKET_KEY_ROTATION");
        return text == null || text.isBlank() ? DEFAULT_PERIOD
                : Durations.parse("EDGEWAY_TLS_TICKET_KEY_ROTATION", text.trim());
    }

    public static TicketKeyRotation start(SessionTicketKeys keys, Duration period) {
        return new TicketKeyRotation(requireNonNull(keys, "keys"), requireNonNull(period, "period"));
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
