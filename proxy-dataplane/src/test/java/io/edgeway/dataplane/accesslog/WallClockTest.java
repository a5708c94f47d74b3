package io.edgeway.dataplane.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The writer's wall-clock time of a loop's nanoTime reading. */
class WallClockTest {
    @Test
    void aReadingIsPlacedByItsDistanceFromTheAnchor() {
        WallClock c = new WallClock();
        c.anchor(1_765_000_000_000L, -5_000_000_000L); // nanoTime may be negative
        assertThat(c.millisAt(-5_000_000_000L)).isEqualTo(1_765_000_000_000L);
        assertThat(c.millisAt(-5_000_000_000L - 2_500_000L)).as("2.5 ms before").isEqualTo(1_764_999_999_997L);
        assertThat(c.millisAt(-5_000_000_000L + 999_999L)).isEqualTo(1_765_000_000_000L);
        assertThat(c.millisAt(Long.MAX_VALUE)).as("across the wrap: only the difference counts")
                .isEqualTo(1_765_000_000_000L + Math.floorDiv(Long.MAX_VALUE + 5_000_000_000L, 1_000_000L));
    }

    @Test
    void aRecordFromSecondsAgoGetsItsOwnTimeNotTheWritersNow() {
        WallClock c = new WallClock();
        long before = System.currentTimeMillis();
        long ended = System.nanoTime() - 7_000_000_000L;
        long millis = c.millis(ended);
        long after = System.currentTimeMillis();
        assertThat(millis).isBetween(before - 7_000 - 1, after - 7_000 + 1);
    }

    @Test
    void aStaleAnchorIsReplacedOnceARecordIsASecondPastIt() {
        WallClock c = new WallClock();
        c.anchor(0, System.nanoTime() - 60_000_000_000L); // a minute-old anchor saying the epoch
        long before = System.currentTimeMillis();
        long millis = c.millis(System.nanoTime());
        assertThat(millis).as("anchored afresh: today, not a minute after 1970").isGreaterThanOrEqualTo(before - 1);
    }
}
