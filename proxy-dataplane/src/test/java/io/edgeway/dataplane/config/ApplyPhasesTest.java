package io.edgeway.dataplane.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The apply log's phases say how many collections ended in each one and how long the JIT compiled, so a slow apply
 * on a loaded machine can be told apart: its own work, the garbage collector's, or the compiler's (issue 14).
 */
class ApplyPhasesTest {
    private static final Pattern PHASE = Pattern.compile(
            "(\\w+) (-?\\d+) ms \\(cpu (-?\\d+) thread, (-?\\d+) process; (-?\\d+) GCs (-?\\d+) ms, jit (-?\\d+) ms\\)");

    @Test
    void aPhaseCountsTheCollectionsThatEndedInIt() {
        ApplyPhases phases = new ApplyPhases();
        System.gc(); // ParallelGC and G1 both count an explicit full collection (no -XX:+DisableExplicitGC in tests)
        phases.mark("collected");
        Matcher m = PHASE.matcher(phases.toString());

        assertThat(m.matches()).as(phases.toString()).isTrue();
        assertThat(m.group(1)).isEqualTo("collected");
        assertThat(Long.parseLong(m.group(5))).as("GCs in %s", phases).isGreaterThanOrEqualTo(1);
        assertThat(Long.parseLong(m.group(6))).as("GC ms in %s", phases).isGreaterThanOrEqualTo(0);
        assertThat(Long.parseLong(m.group(7))).as("JIT ms in %s", phases).isGreaterThanOrEqualTo(0);
    }

    @Test
    void eachPhaseCountsFromTheLastMarkNotFromTheStart() {
        ApplyPhases phases = new ApplyPhases();
        System.gc();
        System.gc();
        phases.mark("first");
        System.gc();
        phases.mark("second");
        String[] parts = phases.toString().split("\\), ");

        assertThat(parts).hasSize(2);
        Matcher first = PHASE.matcher(parts[0] + ")");
        Matcher second = PHASE.matcher(parts[1]);
        assertThat(first.matches()).as(parts[0]).isTrue();
        assertThat(second.matches()).as(parts[1]).isTrue();
        assertThat(Long.parseLong(first.group(5))).as("first phase's GCs: %s", phases).isGreaterThanOrEqualTo(2);
        // the second phase holds its own collection, not the first phase's two again: counted from the start it
        // would be at least one more than the first
        long secondGcs = Long.parseLong(second.group(5));
        assertThat(secondGcs).as("second phase's GCs: %s", phases).isGreaterThanOrEqualTo(1)
                .isLessThanOrEqualTo(Long.parseLong(first.group(5)));
    }
}
