package io.edgeway.controlplane.acme;

import io.edgeway.controlplane.model.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The ACME client's settings, from the environment.
 *
 * @param caFile       EDGEWAY_ACME_CA_FILE: PEM roots trusted, besides the system's, for ACME calls only (a test CA,
 *                     a company's own ACME server); null for the system's roots alone
 * @param poll         EDGEWAY_ACME_POLL: how often the lock holder looks for due work (default 30s)
 * @param budget       EDGEWAY_ACME_BUDGET: at most this many orders per issuer per {@code budgetWindow} (default 50,
 *                     under Let's Encrypt's 300 new orders per 3 hours)
 * @param budgetWindow EDGEWAY_ACME_BUDGET_WINDOW (default 3h)
 * @param backoff      EDGEWAY_ACME_BACKOFF: the wait after a first failure, doubled per further failure (default 5m)
 * @param backoffMax   the longest wait between attempts (24h)
 * @param ackTimeout   EDGEWAY_ACME_ACK_TIMEOUT: how long an order waits for the fleet to ack its challenges (default 60s)
 * @param concurrency  EDGEWAY_ACME_CONCURRENCY: orders in flight at once (default 4; the budget bounds their rate)
 */
public record AcmeSettings(Path caFile, Duration poll, int budget, Duration budgetWindow, Duration backoff,
                           Duration backoffMax, Duration ackTimeout, int concurrency) {
    public static AcmeSettings from(Map<String, String> env) {
        String ca = env.get("EDGEWAY_ACME_CA_FILE");
        return new AcmeSettings(ca == null || ca.isBlank() ? null : Path.of(ca.trim()),
                duration(env, "EDGEWAY_ACME_POLL", Duration.ofSeconds(30)),
                count("EDGEWAY_ACME_BUDGET", env.get("EDGEWAY_ACME_BUDGET"), 50, 100_000),
                duration(env, "EDGEWAY_ACME_BUDGET_WINDOW", Duration.ofHours(3)),
                duration(env, "EDGEWAY_ACME_BACKOFF", Duration.ofMinutes(5)),
                Duration.ofHours(24),
                duration(env, "EDGEWAY_ACME_ACK_TIMEOUT", Duration.ofSeconds(60)),
                count("EDGEWAY_ACME_CONCURRENCY", env.get("EDGEWAY_ACME_CONCURRENCY"), 4, 64));
    }

    /** The wait before attempt {@code failures + 1}: {@code backoff} doubled per earlier failure, capped. */
    public Duration backoffAfter(int failures) {
        Duration d = backoff;
        for (int i = 1; i < failures && d.compareTo(backoffMax) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(backoffMax) > 0 ? backoffMax : d;
    }

    private static Duration duration(Map<String, String> env, String name, Duration fallback) {
        String v = env.get(name);
        return v == null || v.isBlank() ? fallback : Durations.parse(name, v.trim());
    }

    private static int count(String name, String v, int fallback, int max) {
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + ": " + v + " (expected: 1-" + max + ")");
    }
}
