package io.edgeway.dataplane;

import io.netty.channel.group.ChannelGroup;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The waits of the drain sequence ({@link DataPlane#drainAndClose}); it runs in the shutdown hook, not on a loop. */
final class ShutdownWaits {
    private ShutdownWaits() {}

    /** Sleeps the whole time: an interrupt must not shorten the drain (or turn the wait loop into a spin). */
    static void sleep(long nanos) {
        boolean interrupted = false;
        long end = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = end - System.nanoTime()) {
            try {
                TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until {@code clients} is empty or {@code timeout} has passed; true when it emptied. */
    static boolean awaitNoConnections(ChannelGroup clients, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!clients.isEmpty() && System.nanoTime() < deadline) {
            sleep(TimeUnit.MILLISECONDS.toNanos(20)); // a shutdown hook, not a test: polling is the simple way
        }
        return clients.isEmpty();
    }
}
