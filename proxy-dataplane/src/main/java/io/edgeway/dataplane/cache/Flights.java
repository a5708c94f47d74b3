package io.edgeway.dataplane.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Collapsed misses: the first miss for a URL leads (its request goes to the target), later ones wait for it
 * to land and then look the cache up again. A waiter's callback must hop to its own event loop; it also
 * runs when the leader's answer was not storable, and the waiter then goes to the target itself. The lock
 * is per URL being fetched, held for a list add, never across I/O.
 */
public final class Flights {
    private final ConcurrentHashMap<String, Flight> inFlight = new ConcurrentHashMap<>();

    private static final class Flight {
        private final List<Runnable> waiters = new ArrayList<>(2);
        private boolean landed;
    }

    /** True when the caller leads the fetch of {@code key} and must {@link #land} it, however it ends. */
    public boolean lead(String key) {
        return inFlight.putIfAbsent(key, new Flight()) == null;
    }

    /** Registers {@code resume} to run when the current fetch of {@code key} lands; false when there is none. */
    public boolean await(String key, Runnable resume) {
        Flight f = inFlight.get(key);
        if (f == null) {
            return false;
        }
        synchronized (f) {
            if (f.landed) {
                return false;
            }
            f.waiters.add(resume);
        }
        return true;
    }

    /** Ends the fetch of {@code key}: every waiter resumes. */
    public void land(String key) {
        Flight f = inFlight.remove(key);
        if (f == null) {
            return;
        }
        List<Runnable> waiters;
        synchronized (f) {
            f.landed = true;
            waiters = List.copyOf(f.waiters);
        }
        waiters.forEach(Runnable::run);
    }

    /** How many requests wait for the fetch of {@code key} now (for tests and diagnostics). */
    public int waiting(String key) {
        Flight f = inFlight.get(key);
        if (f == null) {
            return 0;
        }
        synchronized (f) {
            return f.waiters.size();
        }
    }
}
