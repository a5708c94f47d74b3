package io.edgeway.dataplane.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The redirect's Location: host without its port, the external port unless 443, nothing from a hostile Host. */
class HttpsRedirectTest {
    @Test
    void theLocationKeepsHostAndPathAndUsesTheExternalPort() {
        assertThat(HttpsRedirect.location("shop.example.com:8000", "/a?b=c", 443)).isEqualTo("https://shop.example.com/a?b=c");
        assertThat(HttpsRedirect.location("shop.example.com", "/a", 8443)).isEqualTo("https://shop.example.com:8443/a");
        assertThat(HttpsRedirect.location("[::1]:8000", "/", 443)).isEqualTo("https://[::1]/");
        assertThat(HttpsRedirect.location("10.0.0.1", "*", 443)).isEqualTo("https://10.0.0.1/");
    }

    @Test
    void aHostThatCouldRedirectElsewhereOrBreakTheHeaderIsRefused() {
        for (String bad : new String[] {null, "", "evil.com@shop.example.com", "evil.com/x", "a b", "a\r\nSet-Cookie: x",
                "shop.example.com:80:80", "[::1"}) {
            assertThat(HttpsRedirect.location(bad, "/", 443)).as(String.valueOf(bad)).isNull();
        }
    }

    @Test
    void theExternalPortSettingIsChecked() {
        assertThat(HttpsRedirect.externalPort(Map.of())).isEqualTo(443);
        assertThat(HttpsRedirect.externalPort(Map.of("EDGEWAY_HTTPS_EXTERNAL_PORT", "8443"))).isEqualTo(8443);
        assertThatThrownBy(() -> HttpsRedirect.externalPort(Map.of("EDGEWAY_HTTPS_EXTERNAL_PORT", "0")))
                .hasMessageContaining("EDGEWAY_HTTPS_EXTERNAL_PORT");
    }
}
