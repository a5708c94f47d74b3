package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgeway.controlplane.store.MasterKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the master key comes from, and that what it seals only it opens. */
class MasterKeyTest {
    private static final byte[] SECRET = "-----BEGIN PRIVATE KEY-----".getBytes(StandardCharsets.US_ASCII);

    @Test
    void withoutConfigurationAKeyIsGeneratedOnFirstUseIntoTheDataDirReadableOnlyByTheOwner(@TempDir Path dataDir) throws Exception {
        MasterKey first = MasterKey.from(Map.of(), dataDir);
        Path file = dataDir.resolve(MasterKey.FILE);
        assertThat(file).doesNotExist(); // nothing written until a certificate needs it
        byte[] sealed = first.encrypt(SECRET);
        assertThat(file).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Base64.getDecoder().decode(Files.readString(file).trim())).hasSize(32);
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("PRIVATE");
        // a restart reads the same key back
        assertThat(MasterKey.from(Map.of(), dataDir).decrypt(sealed)).isEqualTo(SECRET);
        // the same file named explicitly works too
        assertThat(MasterKey.from(Map.of("EDGEWAY_MASTER_KEY_FILE", file.toString()), Path.of("/nonexistent")).decrypt(sealed))
                .isEqualTo(SECRET);
    }

    @Test
    void aConfiguredKeyIsUsedAndAnotherKeyCannotOpenItsValues(@TempDir Path dataDir) {
        String key = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        MasterKey configured = MasterKey.from(Map.of("EDGEWAY_MASTER_KEY", key), dataDir);
        byte[] sealed = configured.encrypt(SECRET);
        assertThat(sealed).isNotEqualTo(configured.encrypt(SECRET)); // a fresh nonce each time
        assertThat(configured.decrypt(sealed)).isEqualTo(SECRET);
        assertThat(dataDir.resolve(MasterKey.FILE)).doesNotExist();
        assertThatThrownBy(() -> MasterKey.from(Map.of(), dataDir).decrypt(sealed)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aMalformedKeyStopsTheStartWithoutEchoingIt(@TempDir Path dataDir) {
        assertThatThrownBy(() -> MasterKey.from(Map.of("EDGEWAY_MASTER_KEY", "c2hvcnQ="), dataDir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("EDGEWAY_MASTER_KEY")
                .hasMessageContaining("5 bytes")
                .hasMessageNotContaining("c2hvcnQ=");
        assertThatThrownBy(() -> MasterKey.from(Map.of("EDGEWAY_MASTER_KEY", "not base64!"), dataDir))
                .hasMessageContaining("not base64");
    }
}
