package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    @TempDir
    Path dir;

    @Test
    void defaultsFlagsAndEnvironment() {
        Settings s = Settings.from(new String[] {"--control-plane", "cp.internal:9005"},
                Map.of("EDGEWAY_DATA_DIR", dir.toString(), "EDGEWAY_PROXY_PORT", "0", "EDGEWAY_WORKERS", "3"));
        assertThat(s.controlPlaneHost()).isEqualTo("cp.internal");
        assertThat(s.controlPlanePort()).isEqualTo(9005);
        assertThat(s.proxyPort()).isZero();
        assertThat(s.statusPort()).isEqualTo(8100);
        assertThat(s.proxyAddress()).isEqualTo("0.0.0.0");
        assertThat(s.workers()).isEqualTo(3);

        Settings fromEnv = Settings.from(new String[0],
                Map.of("EDGEWAY_DATA_DIR", dir.toString(), "EDGEWAY_CONTROL_PLANE", "10.0.0.5:8005"));
        assertThat(fromEnv.controlPlaneHost()).isEqualTo("10.0.0.5");
        assertThat(fromEnv.proxyPort()).isEqualTo(8000);
    }

    @Test
    void clientLimitsComeFromTheEnvironment() {
        Settings s = Settings.from(new String[0], Map.of("EDGEWAY_DATA_DIR", dir.toString(),
                "EDGEWAY_HEADER_TIMEOUT", "5s", "EDGEWAY_TRUSTED_PROXIES", "10.0.0.0/8"));
        assertThat(s.client().headerTimeoutMs()).isEqualTo(5_000);
        assertThat(s.client().keepAliveTimeoutMs()).isEqualTo(60_000);
        assertThat(s.client().trustedProxies().toString()).isEqualTo("10.0.0.0/8");
        assertThatThrownBy(() -> Settings.from(new String[0], Map.of("EDGEWAY_DATA_DIR", dir.toString(),
                "EDGEWAY_WRITE_TIMEOUT", "0s"))).hasMessage("writeTimeoutMs: 0 (expected: 1-3600000)");
        assertThatThrownBy(() -> Settings.from(new String[0], Map.of("EDGEWAY_DATA_DIR", dir.toString(),
                "EDGEWAY_WRITE_TIMEOUT", "-1s"))).hasMessageStartingWith("EDGEWAY_WRITE_TIMEOUT: -1s (expected: a duration");
    }

    @Test
    void nodeIdIsPersistedInTheDataDirUnlessGiven() {
        Map<String, String> env = Map.of("EDGEWAY_DATA_DIR", dir.resolve("d").toString());
        String first = Settings.from(new String[0], env).nodeId();
        assertThat(Settings.from(new String[0], env).nodeId()).isEqualTo(first);
        assertThat(dir.resolve("d/node-id")).exists();
        assertThat(Settings.from(new String[0], Map.of("EDGEWAY_DATA_DIR", dir.toString(),
                "EDGEWAY_NODE_ID", "edge-1")).nodeId()).isEqualTo("edge-1");
    }

    @Test
    void drainDurationsHaveDefaultsAndUnits() {
        Settings defaults = Settings.from(new String[0], Map.of("EDGEWAY_DATA_DIR", dir.toString()));
        assertThat(defaults.drainDelay()).isEqualTo(Duration.ofSeconds(5));
        assertThat(defaults.drainTimeout()).isEqualTo(Duration.ofSeconds(30));
        Settings set = Settings.from(new String[0], Map.of("EDGEWAY_DATA_DIR", dir.toString(),
                "EDGEWAY_DRAIN_DELAY", "1500ms", "EDGEWAY_DRAIN_TIMEOUT", "2m"));
        assertThat(set.drainDelay()).isEqualTo(Duration.ofMillis(1500));
        assertThat(set.drainTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThatThrownBy(() -> Settings.from(new String[0], Map.of("EDGEWAY_DATA_DIR", dir.toString(),
                "EDGEWAY_DRAIN_DELAY", "soon"))).hasMessageContaining("EDGEWAY_DRAIN_DELAY: soon");
    }

    @Test
    void badValuesAreExplained() {
        Map<String, String> env = Map.of("EDGEWAY_DATA_DIR", dir.toString());
        assertThatThrownBy(() -> Settings.from(new String[] {"--control-plane", "nohost"}, env))
                .hasMessageContaining("expected: host:port");
        assertThatThrownBy(() -> Settings.from(new String[0], Map.of("EDGEWAY_DATA_DIR", dir.toString(),
                "EDGEWAY_PROXY_PORT", "70000"))).hasMessage("proxyPort: 70000 (expected: 0-65535)");
        assertThatThrownBy(() -> Settings.from(new String[] {"--bogus"}, env)).hasMessageContaining("--bogus");
    }

    @Test
    void otlpExportIsOffByDefaultAndItsSettingsAreChecked() {
        Map<String, String> base = Map.of("EDGEWAY_DATA_DIR", dir.toString());
        assertThat(Settings.from(new String[0], base).observability().otlp().on()).isFalse();
        Settings on = Settings.from(new String[0], Map.of("EDGEWAY_DATA_DIR", dir.toString(),
                "EDGEWAY_OTLP_ENDPOINT", "http://collector:4318/", "EDGEWAY_OTLP_SAMPLE", "0.25"));
        assertThat(on.observability().otlp().tracesUrl()).isEqualTo("http://collector:4318/v1/traces");
        assertThat(on.observability().otlp().newTraceSample()).isEqualTo(0.25);
        assertThatThrownBy(() -> Settings.from(new String[0], Map.of("EDGEWAY_DATA_DIR", dir.toString(),
                "EDGEWAY_OTLP_ENDPOINT", "collector:4318"))).hasMessageStartingWith("EDGEWAY_OTLP_ENDPOINT: 'collector:4318'");
        assertThatThrownBy(() -> Settings.from(new String[0], Map.of("EDGEWAY_DATA_DIR", dir.toString(),
                "EDGEWAY_OTLP_ENDPOINT", "http://c:4318", "EDGEWAY_OTLP_SAMPLE", "NaN")))
                .hasMessage("EDGEWAY_OTLP_SAMPLE: NaN (expected: 0-1)");
        assertThatThrownBy(() -> Settings.from(new String[0], Map.of("EDGEWAY_DATA_DIR", dir.toString(),
                "EDGEWAY_OTLP_ENDPOINT", "http://c:4318", "EDGEWAY_TRACE_CONTEXT", "off")))
                .hasMessageContaining("EDGEWAY_TRACE_CONTEXT is off");
    }

    @Test
    void nodeLabelsComeFromTheEnvironmentAndBadOnesStopTheStart(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Settings s = Settings.from(new String[0], Map.of("EDGEWAY_DATA_DIR", dir.toString(),
                "EDGEWAY_NODE_LABELS", "canary=true, zone=eu-1"));
        assertThat(s.labels()).containsOnly(Map.entry("canary", "true"), Map.entry("zone", "eu-1"));
        assertThat(Settings.from(new String[0], Map.of("EDGEWAY_DATA_DIR", dir.toString())).labels()).isEmpty();
        for (String bad : java.util.List.of("canary", "=true", "canary=", "a=b,a=c", "k=v\nx", "k=v;rm", "k=" + "v".repeat(64))) {
            assertThatThrownBy(() -> Settings.from(new String[0], Map.of("EDGEWAY_DATA_DIR", dir.toString(),
                    "EDGEWAY_NODE_LABELS", bad))).as(bad).hasMessageStartingWith("EDGEWAY_NODE_LABELS");
        }
    }
}
