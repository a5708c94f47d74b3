package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {
    @Test
    void defaults() {
        Settings s = Settings.fromEnv(Map.of());
        assertThat(s.dbUrl()).isNull();
        assertThat(s.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(s.adminAddress()).isEqualTo("127.0.0.1");
        assertThat(s.adminPort()).isEqualTo(8001);
        assertThat(s.grpcAddress()).isEqualTo("0.0.0.0");
        assertThat(s.grpcPort()).isEqualTo(8005);
    }

    @Test
    void readsEveryVariable() {
        Settings s = Settings.fromEnv(Map.of(
                "EDGEWAY_DB_URL", "jdbc:postgresql://db:5432/edgeway", "EDGEWAY_DB_USER", "u", "EDGEWAY_DB_PASSWORD", "p",
                "EDGEWAY_DATA_DIR", "/var/lib/edgeway", "EDGEWAY_ADMIN_ADDRESS", "0.0.0.0", "EDGEWAY_ADMIN_PORT", "0",
                "EDGEWAY_GRPC_ADDRESS", "10.0.0.1", "EDGEWAY_GRPC_PORT", "9005", "EDGEWAY_ADMIN_TOKEN", "s3cret-s3cret-s3cret"));
        assertThat(s).isEqualTo(new Settings("jdbc:postgresql://db:5432/edgeway", "u", "p", Path.of("/var/lib/edgeway"),
                "0.0.0.0", 0, "10.0.0.1", 9005, "s3cret-s3cret-s3cret"));
        assertThat(s.toString()).doesNotContain("s3cret-s3cret-s3cret");
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> Settings.fromEnv(Map.of("EDGEWAY_ADMIN_PORT", "http")))
                .hasMessage("EDGEWAY_ADMIN_PORT: http (expected: 0-65535)");
        assertThatThrownBy(() -> Settings.fromEnv(Map.of("EDGEWAY_GRPC_PORT", "70000")))
                .hasMessage("grpcPort: 70000 (expected: 0-65535)");
        assertThatThrownBy(() -> Settings.fromEnv(Map.of("EDGEWAY_DB_URL", "postgres://x")))
                .hasMessageStartingWith("EDGEWAY_DB_URL: postgres://x (expected: jdbc:postgresql://");
        // a guessable token would be worse than none: SHA-256 storage assumes a high-entropy secret
        assertThatThrownBy(() -> Settings.fromEnv(Map.of("EDGEWAY_ADMIN_TOKEN", "admin")))
                .hasMessage("EDGEWAY_ADMIN_TOKEN: 5 characters (expected: at least 16 random ones, e.g. `openssl rand -hex 32`)")
                .message().doesNotContain("admin ");
    }

    @Test
    void insecurePlaintextGrpcIsRefusedOffLoopback() {
        assertThatThrownBy(() -> Settings.fromEnv(Map.of("EDGEWAY_GRPC_INSECURE_PLAINTEXT", "true")))
                .hasMessageStartingWith("EDGEWAY_GRPC_INSECURE_PLAINTEXT=true with EDGEWAY_GRPC_ADDRESS=0.0.0.0");
        assertThatThrownBy(() -> Settings.fromEnv(Map.of("EDGEWAY_GRPC_INSECURE_PLAINTEXT", "true", "EDGEWAY_GRPC_ADDRESS", "10.0.0.1")))
                .hasMessageStartingWith("EDGEWAY_GRPC_INSECURE_PLAINTEXT=true with EDGEWAY_GRPC_ADDRESS=10.0.0.1");
        assertThat(Settings.fromEnv(Map.of("EDGEWAY_GRPC_INSECURE_PLAINTEXT", "true", "EDGEWAY_GRPC_ADDRESS", "127.0.0.1"))
                .grpcSecurity().insecurePlaintext()).isTrue();
        assertThat(Settings.fromEnv(Map.of()).grpcSecurity().insecurePlaintext()).isFalse(); // mTLS unless asked
    }
}
