package io.edgeway.dataplane.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgeway.proto.v1.Snapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskCacheTest {
    @TempDir
    Path dir;

    private static Snapshot snapshot(long version) {
        return Snapshot.newBuilder().setVersion(version).setNonce("n" + version).build();
    }

    @Test
    void roundTripIsPrivateAndComplete() throws IOException {
        DiskCache cache = new DiskCache(dir);
        assertThat(cache.load()).as("no file yet").isEmpty();
        cache.store(snapshot(7));
        assertThat(DiskCache.read(cache.file())).isEqualTo(snapshot(7));
        assertThat(cache.load()).hasValueSatisfying(c -> assertThat(c.version()).isEqualTo(7));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache.file()))).isEqualTo("rw-------");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temp file left").containsExactly("snapshot.bin");
        }
    }

    @Test
    void replacementKeepsThePreviousGeneration() throws IOException {
        DiskCache cache = new DiskCache(dir);
        cache.store(snapshot(1));
        cache.store(snapshot(2));
        cache.store(snapshot(3));
        assertThat(DiskCache.read(cache.file()).getVersion()).isEqualTo(3);
        assertThat(DiskCache.read(cache.previous()).getVersion()).isEqualTo(2);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache.previous())))
                .isEqualTo("rw-------");
    }

    @Test
    void aFlippedByteOrATruncationIsRefusedWhole() throws IOException {
        DiskCache cache = new DiskCache(dir);
        cache.store(Snapshot.newBuilder().setVersion(5).setNonce("a-longer-payload-to-flip").build());
        byte[] good = Files.readAllBytes(cache.file());

        byte[] flipped = good.clone();
        flipped[flipped.length - 3] ^= 0x01;
        Files.write(cache.file(), flipped);
        assertThatThrownBy(() -> DiskCache.read(cache.file())).hasMessageContaining("checksum mismatch");
        assertThat(cache.load()).isEmpty();

        Files.write(cache.file(), java.util.Arrays.copyOf(good, good.length - 4));
        assertThatThrownBy(() -> DiskCache.read(cache.file())).hasMessageContaining("does not match the file size");
        Files.write(cache.file(), java.util.Arrays.copyOf(good, 10));
        assertThatThrownBy(() -> DiskCache.read(cache.file())).hasMessageContaining("truncated");
        assertThat(cache.load()).isEmpty();
    }

    @Test
    void aCorruptCurrentGenerationFallsBackToTheWholePreviousOne() throws IOException {
        DiskCache cache = new DiskCache(dir);
        cache.store(snapshot(1));
        cache.store(snapshot(2));
        byte[] bytes = Files.readAllBytes(cache.file());
        bytes[DiskCache.HEADER - 1] ^= 0x40; // inside the digest
        Files.write(cache.file(), bytes);
        assertThat(cache.load()).hasValueSatisfying(c -> assertThat(c.version()).isEqualTo(1));

        Files.write(cache.previous(), new byte[] {1, 2, 3});
        assertThat(cache.load()).as("neither generation is whole: nothing is applied").isEmpty();
    }
}
