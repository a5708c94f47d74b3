package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgeway.controlplane.model.Durations;
import io.edgeway.controlplane.model.ValidationException;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
    @ParameterizedTest
    @CsvSource({"500ms,500", "2s,2000", "1m,60000", "1h,3600000", "1500ms,1500", "24h,86400000"})
    void parsesAndFormatsBack(String text, long millis) {
        Duration d = Durations.parse("t", text);
        assertThat(d.toMillis()).isEqualTo(millis);
        assertThat(Durations.format(d)).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1", "s", "1.5s", "-1s", " 1s", "1 s", "1d", "0ms", "25h", "1S", "9999999999s"})
    void rejectsAnythingElse(String text) {
        assertThatThrownBy(() -> Durations.parse("timeouts.idle", text))
                .isInstanceOfSatisfying(ValidationException.class, e -> {
                    assertThat(e.errors().get(0).field()).isEqualTo("timeouts.idle");
                    assertThat(e.errors().get(0).message()).startsWith("idle: " + text + " (expected: ");
                });
    }
}
