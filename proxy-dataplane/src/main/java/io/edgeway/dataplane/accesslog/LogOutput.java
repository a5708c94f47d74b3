package io.edgeway.dataplane.accesslog;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where the writer thread puts lines: stdout, or a file that rotates by size ({@code access.log} →
 * {@code access.log.1} → … → {@code access.log.<keep>}, the oldest deleted). Opened by the writer thread on its
 * first line, so a path that blocks on open (a FIFO nobody reads) stalls only the writer.
 */
final class LogOutput implements AutoCloseable {
    /**
     * Lines are buffered and written in batches: one write(2) per 64 KiB under load rather than one per request;
     * the writer flushes whenever its queue runs empty, so a quiet proxy's lines are on disk within moments.
     */
    private static final int BUFFER = 64 * 1024;
    private final Path file; // null: stdout
    private final long maxBytes;
    private final int keep;
    private OutputStream out;
    private long written;

    LogOutput(String destination, long maxBytes, int keep) {
        this.file = destination.equals("stdout") ? null : Path.of(destination);
        this.maxBytes = maxBytes;
        this.keep = keep;
    }

    void write(byte[] bytes, int len) throws IOException {
        if (out == null) {
            open();
        }
        if (file != null && written > 0 && written + len > maxBytes && Files.isRegularFile(file)) {
            rotate();
        }
        out.write(bytes, 0, len);
        written += len;
    }

    void flush() throws IOException {
        if (out != null) {
            out.flush();
        }
    }

    private void open() throws IOException {
        if (file == null) {
            out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), BUFFER);
            return;
        }
        out = new BufferedOutputStream(new FileOutputStream(file.toFile(), true), BUFFER);
        written = Files.isRegularFile(file) ? Files.size(file) : 0;
    }

    private void rotate() throws IOException {
        out.close();
        Files.deleteIfExists(rotated(keep));
        for (int i = keep - 1; i >= 1; i--) {
            if (Files.exists(rotated(i))) {
                Files.move(rotated(i), rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(file, rotated(1), StandardCopyOption.REPLACE_EXISTING);
        out = new BufferedOutputStream(new FileOutputStream(file.toFile(), true), BUFFER);
        written = 0;
    }

    private Path rotated(int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }

    @Override
    public void close() throws IOException {
        if (out != null && file != null) {
            out.close();
        } else if (out != null) {
            out.flush(); // never close the process's stdout
        }
    }
}
