package io.edgeway.dataplane.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgeway.dataplane.limits.LimitSettings;
import io.edgeway.dataplane.listener.ClientLimits;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole-number settings, through the settings that read them (connection limits, client limits): a value
 * that is not a whole number or is out of range stops the proxy naming the setting; unset or blank is the default.
 */
class SettingNumbersTest {
    @ParameterizedTest
    @ValueSource(strings = {"many", "1.5", "10k", "0x10", "99999999999"})
    void aConnectionLimitThatIsNotAWholeNumberIsRefusedNamingTheSetting(String text) {
        assertThatThrownBy(() -> LimitSettings.from(Map.of("EDGEWAY_MAX_CONNECTIONS", text)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("EDGEWAY_MAX_CONNECTIONS: " + text + " (expected: a whole number)");
    }

    @Test
    void aSizeThatIsNotANumberIsRefusedAsBytes() {
        assertThatThrownBy(() -> ClientLimits.from(Map.of("EDGEWAY_MAX_URI_SIZE", "lots")))
                .hasMessage("EDGEWAY_MAX_URI_SIZE: lots (expected: a number of bytes)");
    }

    @Test
    void valuesAreTrimmedAndBlankMeansTheDefault() {
        LimitSettings limits = LimitSettings.from(Map.of("EDGEWAY_MAX_CONNECTIONS", " 500 ", "EDGEWAY_MAX_CONNECTIONS_PER_IP", " "));
        assertThat(limits.maxConnections()).isEqualTo(500);
        assertThat(limits.maxConnectionsPerIp()).isEqualTo(LimitSettings.from(Map.of()).maxConnectionsPerIp());
        assertThat(ClientLimits.from(Map.of("EDGEWAY_MAX_HEADER_SIZE", "\t16384\n")).maxHeaderSize()).isEqualTo(16384);
    }

    @Test
    void outOfRangeValuesAreRefusedWithTheirRange() {
        assertThatThrownBy(() -> LimitSettings.from(Map.of("EDGEWAY_RATE_LIMIT_KEYS", "8")))
                .hasMessage("EDGEWAY_RATE_LIMIT_KEYS: 8 (expected: 16-67108864)");
        assertThatThrownBy(() -> LimitSettings.from(Map.of("EDGEWAY_MAX_CONNECTIONS_PER_IP", "-1")))
                .hasMessage("EDGEWAY_MAX_CONNECTIONS_PER_IP: -1 (expected: 0-10000000)");
        assertThatThrownBy(() -> ClientLimits.from(Map.of("EDGEWAY_MAX_HEADER_SIZE", "1023")))
                .hasMessage("maxHeaderSize: 1023 (expected: 1024-1048576)");
        assertThat(ClientLimits.from(Map.of("EDGEWAY_MAX_HEADER_SIZE", "1024")).maxHeaderSize()).isEqualTo(1024);
    }
}
