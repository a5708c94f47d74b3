package io.edgeway.dataplane.warmup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class WarmupSettingsTest {
    /**
     * The compiler threads keep their priority unless the operator asks (bench/README.md: a lower priority after
     * ready slowed convergence on a shared core); a value outside nice's range is refused at start, not clamped.
     */
    @Test
    void jitNiceIsOffByDefaultAndChecked() {
        assertThat(WarmupSettings.from(Map.of()).jitNice()).isZero();
        assertThat(WarmupSettings.from(Map.of("EDGEWAY_JIT_NICE", "10")).jitNice()).isEqualTo(10);
        assertThatThrownBy(() -> WarmupSettings.from(Map.of("EDGEWAY_JIT_NICE", "20")))
                .hasMessageContaining("EDGEWAY_JIT_NICE: 20");
        assertThatThrownBy(() -> WarmupSettings.from(Map.of("EDGEWAY_JIT_NICE", "high")))
                .hasMessageContaining("EDGEWAY_JIT_NICE: high (expected: an integer)");
    }
}
