package io.edgeway.dataplane.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The proxy's one duration syntax: the control plane's units, and bare seconds for old environment files. */
class DurationsTest {
    @ParameterizedTest
    @CsvSource({"500ms,500", "10s,10000", "2m,120000", "1h,3600000", "10,10000", "' 5s ',5000", "0s,0", "0,0"})
    void readsEveryUnitAndBareSeconds(String text, long millis) {
        assertThat(Durations.parse("EDGEWAY_X", text)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "soon", "-1s", "1.5s", "10x", "1d", "5 s", "1h30m", "1234567890s", "0x10"})
    void refusesAnythingElseNamingTheSetting(String text) {
        assertThatThrownBy(() -> Durations.parse("EDGEWAY_X", text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("EDGEWAY_X: " + text + " (expected: a duration like 500ms, 10s, 1m or 1h; a bare number is seconds)");
    }

    @Test
    void anUnsetOrBlankSettingIsTheFallback() {
        Duration fallback = Duration.ofSeconds(4);
        assertThat(Durations.fromEnv(Map.of(), "EDGEWAY_X", fallback)).isSameAs(fallback);
        assertThat(Durations.fromEnv(Map.of("EDGEWAY_X", " "), "EDGEWAY_X", fallback)).isSameAs(fallback);
        assertThat(Durations.fromEnv(Map.of("EDGEWAY_X", "1h"), "EDGEWAY_X", fallback)).isEqualTo(Duration.ofHours(1));
    }
}
