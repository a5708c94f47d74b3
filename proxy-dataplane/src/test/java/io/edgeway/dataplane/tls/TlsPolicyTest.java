package io.edgeway.dataplane.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** EDGEWAY_TLS_CIPHERS: the default list when unset, the operator's order when set, a clear error when malformed. */
class TlsPolicyTest {
    @Test
    void theCipherSettingIsReadInOrderAndChecked() {
        assertThat(TlsPolicy.ciphers(Map.of())).isSameAs(TlsPolicy.MOZILLA_INTERMEDIATE);
        assertThat(TlsPolicy.ciphers(Map.of("EDGEWAY_TLS_CIPHERS", "TLS_AES_256_GCM_SHA384, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384")))
                .containsExactly("TLS_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
        assertThatThrownBy(() -> TlsPolicy.ciphers(Map.of("EDGEWAY_TLS_CIPHERS", "ECDHE-RSA-AES128-GCM-SHA256")))
                .hasMessageContaining("EDGEWAY_TLS_CIPHERS: ECDHE-RSA-AES128-GCM-SHA256");
    }
}
