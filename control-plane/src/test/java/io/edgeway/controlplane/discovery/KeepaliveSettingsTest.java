package io.edgeway.controlplane.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The server's keepalive numbers, checked against what they must guarantee (no timing involved). */
class KeepaliveSettingsTest {
    /** The proxies' ConfigClient pings every 30 s; the server must permit at least that often. */
    private static final Duration PROXY_PING_INTERVAL = Duration.ofSeconds(30);

    @Test
    void aDeadStreamIsNoticedWithin30Seconds() {
        assertThat(ConfigDiscovery.KEEPALIVE_TIME.plus(ConfigDiscovery.KEEPALIVE_TIMEOUT)).isLessThanOrEqualTo(Duration.ofSeconds(30));
        assertThat(ConfigDiscovery.KEEPALIVE_TIMEOUT).isPositive();
    }

    @Test
    void proxiesPingingAtTheirIntervalAreNotCutOff() {
        assertThat(ConfigDiscovery.PERMIT_KEEPALIVE_TIME).isPositive().isLessThan(PROXY_PING_INTERVAL);
    }
}
