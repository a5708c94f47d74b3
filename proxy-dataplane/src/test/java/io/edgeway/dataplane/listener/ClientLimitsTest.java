package io.edgeway.dataplane.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientLimitsTest {
    @Test
    void defaultsAndEnvironment() {
        assertThat(ClientLimits.from(Map.of())).isEqualTo(ClientLimits.DEFAULTS);
        ClientLimits l = ClientLimits.from(Map.of("EDGEWAY_MAX_URI_SIZE", "4096", "EDGEWAY_MAX_HEADER_SIZE", "16384",
                "EDGEWAY_HEADER_TIMEOUT", "200ms", "EDGEWAY_KEEPALIVE_TIMEOUT", "75",
                "EDGEWAY_WRITE_TIMEOUT", "2m", "EDGEWAY_TRUSTED_PROXIES", "10.0.0.0/16, 2001:db8::/32"));
        assertThat(l.maxUriSize()).isEqualTo(4096);
        assertThat(l.maxHeaderSize()).isEqualTo(16384);
        assertThat(l.headerTimeoutMs()).isEqualTo(200);
        assertThat(l.keepAliveTimeoutMs()).isEqualTo(75_000);
        assertThat(l.writeTimeoutMs()).isEqualTo(120_000);
        assertThat(l.trustedProxies().toString()).isEqualTo("10.0.0.0/16, 2001:db8::/32");
        // the same grammar as every other duration setting, hours included
        assertThat(ClientLimits.from(Map.of("EDGEWAY_KEEPALIVE_TIMEOUT", "1h")).keepAliveTimeoutMs()).isEqualTo(3_600_000);
    }

    @Test
    void badValuesAreExplained() {
        assertThatThrownBy(() -> ClientLimits.from(Map.of("EDGEWAY_HEADER_TIMEOUT", "soon")))
                .hasMessage("EDGEWAY_HEADER_TIMEOUT: soon (expected: a duration like 500ms, 10s, 1m or 1h; a bare number is seconds)");
        assertThatThrownBy(() -> ClientLimits.from(Map.of("EDGEWAY_MAX_URI_SIZE", "10")))
                .hasMessage("maxUriSize: 10 (expected: 256-1048576)");
        assertThatThrownBy(() -> TrustedProxies.parse("10.0.0.0/33"))
                .hasMessage("trusted proxy: 10.0.0.0/33 (expected: prefix 0-32)");
        assertThatThrownBy(() -> TrustedProxies.parse("alb.internal"))
                .hasMessageContaining("expected: an IP literal or CIDR");
    }

    @Test
    void trustedProxiesMatchByPrefix() throws Exception {
        TrustedProxies t = TrustedProxies.parse("10.1.0.0/16,192.168.1.5,10.2.3.128/25,2001:db8::/32");
        assertThat(t.contains(InetAddress.getByName("10.1.255.3"))).isTrue();
        assertThat(t.contains(InetAddress.getByName("10.0.255.3"))).isFalse();
        assertThat(t.contains(InetAddress.getByName("192.168.1.5"))).isTrue();
        assertThat(t.contains(InetAddress.getByName("192.168.1.6"))).isFalse();
        assertThat(t.contains(InetAddress.getByName("10.2.3.200"))).isTrue();
        assertThat(t.contains(InetAddress.getByName("10.2.3.100"))).isFalse();
        assertThat(t.contains(InetAddress.getByName("2001:db8::1"))).isTrue();
        assertThat(t.contains(InetAddress.getByName("2001:db9::1"))).isFalse();
        assertThat(TrustedProxies.NONE.contains(InetAddress.getByName("127.0.0.1"))).isFalse();
    }
}
