package io.edgeway.controlplane.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.dataplane.config.ConfigClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The server's keepalive numbers, checked against what they must guarantee (no timing involved). */
class KeepaliveSettingsTest {
    @Test
    void aDeadStreamIsNoticedWithin30Seconds() {
        assertThat(ConfigDiscovery.KEEPALIVE_TIME.plus(ConfigDiscovery.KEEPALIVE_TIMEOUT)).isLessThanOrEqualTo(Duration.ofSeconds(30));
        assertThat(ConfigDiscovery.KEEPALIVE_TIMEOUT).isPositive();
    }

    /** Read from the proxy's own client, so a proxy that starts pinging more often than the server permits fails here. */
    @Test
    void proxiesPingingAtTheirIntervalAreNotCutOff() {
        assertThat(ConfigDiscovery.PERMIT_KEEPALIVE_TIME).isPositive().isLessThan(ConfigClient.PING_INTERVAL);
    }
}
