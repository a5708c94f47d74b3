package io.edgeway.dataplane.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlPlaneAuthTest {
    private static final String SECRET = "s".repeat(43);
    private static final String TOKEN = "ewj1.0123456789ab." + SECRET + "." + "p".repeat(43);

    @Test
    void mtlsIsTheDefaultAndTheTokenComesFromTheEnvironmentOrAFile(@TempDir Path dir) throws Exception {
        assertThat(ControlPlaneAuth.from(Map.of()).insecurePlaintext()).isFalse();
        assertThat(ControlPlaneAuth.from(Map.of("EDGEWAY_JOIN_TOKEN", TOKEN)).joinToken()).isEqualTo(TOKEN);
        Path file = dir.resolve("token");
        Files.writeString(file, TOKEN + "\n");
        assertThat(ControlPlaneAuth.from(Map.of("EDGEWAY_JOIN_TOKEN_FILE", file.toString())).joinToken()).isEqualTo(TOKEN);
        assertThat(ControlPlaneAuth.from(Map.of("EDGEWAY_CONTROL_PLANE_INSECURE_PLAINTEXT", "true")).insecurePlaintext()).isTrue();
    }

    @Test
    void aMalformedTokenFailsAtStartWithoutEchoingItAndTheTokenNeverShowsInToString() {
        String typo = TOKEN.replace("ewj1.", "ewj2.");
        assertThatThrownBy(() -> ControlPlaneAuth.from(Map.of("EDGEWAY_JOIN_TOKEN", typo)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("join token: malformed")
                .message().doesNotContain(SECRET);
        assertThatThrownBy(() -> ControlPlaneAuth.from(Map.of("EDGEWAY_CONTROL_PLANE_INSECURE_PLAINTEXT", "yes")))
                .hasMessageStartingWith("EDGEWAY_CONTROL_PLANE_INSECURE_PLAINTEXT: yes");
        assertThat(ControlPlaneAuth.joining(TOKEN).toString()).doesNotContain(SECRET);
        assertThat(JoinToken.parse(TOKEN).toString()).doesNotContain(SECRET);
    }
}
