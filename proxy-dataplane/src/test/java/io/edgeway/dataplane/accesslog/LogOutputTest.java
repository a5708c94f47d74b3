package io.edgeway.dataplane.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer's output buffers lines in a direct buffer and writes them in batches: whatever the sizes, the file
 * holds every line whole, in the order given, and rotation never splits or loses what was buffered.
 */
class LogOutputTest {
    @TempDir
    Path dir;

    @Test
    void aLineLongerThanTheBufferKeepsItsPlaceBetweenBufferedLines() throws Exception {
        Path file = dir.resolve("access.log");
        String before = "first\n";
        String huge = "x".repeat(150 * 1024) + "\n"; // over the 64 KiB buffer: written on its own
        String after = "last\n";
        try (LogOutput out = new LogOutput(file.toString(), Long.MAX_VALUE, 1)) {
            for (String line : new String[] {before, huge, after}) {
                byte[] b = line.getBytes(StandardCharsets.US_ASCII);
                out.write(b, b.length);
            }
        }
        assertThat(Files.readString(file)).isEqualTo(before + huge + after);
    }

    @Test
    void rotationWritesWhatWasBufferedIntoTheFileItBelongsTo() throws Exception {
        Path file = dir.resolve("access.log");
        byte[] line = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n".getBytes(StandardCharsets.US_ASCII);
        try (LogOutput out = new LogOutput(file.toString(), 10 * line.length, 3)) {
            for (int i = 0; i < 25; i++) { // 10 + 10 + 5 lines: two rotations
                out.write(line, line.length);
            }
        }
        assertThat(Files.size(dir.resolve("access.log.2"))).isEqualTo(10L * line.length);
        assertThat(Files.size(dir.resolve("access.log.1"))).isEqualTo(10L * line.length);
        assertThat(Files.size(file)).isEqualTo(5L * line.length);
    }
}
