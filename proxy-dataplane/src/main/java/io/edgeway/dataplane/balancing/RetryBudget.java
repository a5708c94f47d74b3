package io.edgeway.dataplane.balancing;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many retries an upstream may have in flight at once, so that retrying never multiplies the load on
 * targets that are all failing (Envoy's retry budget): at most {@link #PERCENT} % of the requests in flight
 * that are not themselves retrying, but always at least {@link #MIN_CONCURRENT}. Shared by every event
 * loop and carried across config versions with the upstream; lock-free.
 */
public final class RetryBudget {
    public static final int PERCENT = 20;
    public static final int MIN_CONCURRENT = 3;

    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger retrying = new AtomicInteger();
    private final LongAdder granted = new LongAdder();
    private final LongAdder refused = new LongAdder();

    /** A request to this upstream starts its first attempt. */
    public void begin() {
        active.incrementAndGet();
    }

    /** The request that {@link #begin} counted is over; {@code retried} if it holds a {@link #tryRetry} grant. */
    public void end(boolean retried) {
        if (retried) {
            retrying.decrementAndGet();
        }
        active.decrementAndGet();
    }

    /** Takes one retry from the budget, or says no when the upstream already retries its share. */
    public boolean tryRetry() {
        while (true) {
            int r = retrying.get();
            int allowed = Math.max(MIN_CONCURRENT, (active.get() - r) * PERCENT / 100);
            if (r >= allowed) {
                refused.increment();
                return false;
            }
            if (retrying.compareAndSet(r, r + 1)) {
                granted.increment();
                return true;
            }
        }
    }

    public int inFlight() {
        return active.get();
    }

    public int retriesInFlight() {
        return retrying.get();
    }

    public long grantedTotal() {
        return granted.sum();
    }

    public long refusedTotal() {
        return refused.sum();
    }
}
