package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The database password and the admin token from files, as systemd's LoadCredential= hands them to the unit. */
class SecretFilesTest {
    @TempDir
    Path dir;

    @Test
    void databasePasswordAndAdminTokenAreReadFromTheirFiles() throws Exception {
        Path password = Files.writeString(dir.resolve("db-password"), "pw-from-ssm\n");
        Path token = Files.writeString(dir.resolve("admin-token"), "0123456789abcdef0123456789abcdef\n");
        Settings s = Settings.fromEnv(Map.of("EDGEWAY_DB_URL", "jdbc:postgresql://db:5432/edgeway",
                "EDGEWAY_DB_PASSWORD_FILE", password.toString(), "EDGEWAY_ADMIN_TOKEN_FILE", token.toString()));
        assertThat(s.dbPassword()).isEqualTo("pw-from-ssm");
        assertThat(s.adminToken()).isEqualTo("0123456789abcdef0123456789abcdef");
    }

    @Test
    void aTokenFromAFileIsCheckedLikeAnInlineOne() throws Exception {
        Path token = Files.writeString(dir.resolve("admin-token"), "short\n");
        assertThatThrownBy(() -> Settings.fromEnv(Map.of("EDGEWAY_ADMIN_TOKEN_FILE", token.toString())))
                .hasMessageStartingWith("EDGEWAY_ADMIN_TOKEN: 5 characters");
    }

    @Test
    void bothFormsAtOnceAreRefusedWithoutEchoingTheSecret() throws Exception {
        Path password = Files.writeString(dir.resolve("db-password"), "from-file");
        assertThatThrownBy(() -> Settings.fromEnv(Map.of("EDGEWAY_DB_PASSWORD", "inline-secret",
                "EDGEWAY_DB_PASSWORD_FILE", password.toString())))
                .hasMessage("EDGEWAY_DB_PASSWORD and EDGEWAY_DB_PASSWORD_FILE: set one, not both")
                .message().doesNotContain("inline-secret");
    }

    @Test
    void aMissingOrEmptyFileStopsTheStartInsteadOfRunningWithoutThePassword() throws Exception {
        assertThatThrownBy(() -> Settings.fromEnv(Map.of("EDGEWAY_DB_PASSWORD_FILE", dir.resolve("absent").toString())))
                .hasMessageContaining("EDGEWAY_DB_PASSWORD_FILE: ").hasMessageContaining("cannot read");
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> Settings.fromEnv(Map.of("EDGEWAY_ADMIN_TOKEN_FILE", empty.toString())))
                .hasMessageEndingWith("is empty");
    }

    @Test
    void aFileThatIsNoSecretIsNotReadWhole() throws Exception {
        Path big = Files.write(dir.resolve("big"), new byte[SecretSetting.MAX_BYTES + 1]);
        assertThatThrownBy(() -> Settings.fromEnv(Map.of("EDGEWAY_DB_PASSWORD_FILE", big.toString())))
                .hasMessageContaining("is larger than");
    }
}
