package io.edgeway.controlplane.acme;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.shredzone.acme4j.PollableResource;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.exception.AcmeException;

/**
 * Waits for an ACME resource to reach one of some statuses: as soon as the CA's Retry-After allows when it sends
 * one (RFC 8555 8.2), else from 200 ms doubling to 3 s. acme4j's own wait polls every 3 s when the CA sends
 * no Retry-After, which makes a fleet's hundred certificates take minutes where seconds would do.
 */
final class Polling {
    private static final Duration FIRST = Duration.ofMillis(200);
    private static final Duration MAX = Duration.ofSeconds(3);

    private Polling() {}

    static Status await(PollableResource r, Set<Status> wanted, Duration timeout) throws AcmeException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        Duration delay = FIRST;
        while (true) {
            Status s = r.getStatus();
            if (wanted.contains(s)) {
                return s;
            }
            Instant now = Instant.now();
            if (now.isAfter(deadline)) {
                throw new AcmeException("no answer from the CA within " + timeout + " (status " + s.name().toLowerCase() + ")");
            }
            Optional<Instant> retryAfter = r.fetch();
            Status after = r.getStatus();
            if (wanted.contains(after)) {
                return after;
            }
            Instant next = retryAfter.orElse(Instant.now().plus(delay));
            long ms = Math.max(0, Duration.between(Instant.now(), next).toMillis());
            Thread.sleep(Math.min(ms, Duration.between(Instant.now(), deadline).toMillis() + 1));
            delay = delay.multipliedBy(2).compareTo(MAX) > 0 ? MAX : delay.multipliedBy(2);
        }
    }
}
