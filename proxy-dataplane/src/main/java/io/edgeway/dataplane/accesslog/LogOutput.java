package io.edgeway.dataplane.accesslog;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Where the writer thread puts lines: stdout, or a file that rotates by size ({@code access.log} →
 * {@code access.log.1} → … → {@code access.log.<keep>}, the oldest deleted). Opened by the writer thread on its
 * first line, so a path that blocks on open (a FIFO nobody reads) stalls only the writer.
 */
final class LogOutput implements AutoCloseable {
    /**
     * Lines are buffered and written in batches: one write(2) per 64 KiB under load rather than one per request;
     * the writer flushes whenever its queue runs empty, so a quiet proxy's lines are on disk within moments. The
     * buffer is direct and the output a FileChannel: the kernel reads the lines from it as they are (a
     * FileOutputStream would malloc and fill a native copy of every 64 KiB it writes).
     */
    private static final int BUFFER = 64 * 1024;
    private final Path file; // null: stdout
    private final long maxBytes;
    private final int keep;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
    private FileChannel out;
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
        if (len > buffer.remaining()) {
            drain();
        }
        if (len > buffer.remaining()) { // a line longer than the buffer (a huge URI): written on its own
            ByteBuffer whole = ByteBuffer.wrap(bytes, 0, len);
            while (whole.hasRemaining()) {
                out.write(whole);
            }
        } else {
            buffer.put(bytes, 0, len);
        }
        written += len;
    }

    void flush() throws IOException {
        if (out != null) {
            drain();
        }
    }

    /**
     * Writes what is buffered. A failed write keeps what was not written, as BufferedOutputStream did: the next
     * line tries again, and a line that does not fit meanwhile is refused (the caller counts it as dropped).
     */
    private void drain() throws IOException {
        buffer.flip();
        try {
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
        } finally {
            buffer.compact();
        }
    }

    private void open() throws IOException {
        if (file == null) {
            out = new FileOutputStream(FileDescriptor.out).getChannel();
            return;
        }
        out = append(file);
        written = Files.isRegularFile(file) ? Files.size(file) : 0;
    }

    private static FileChannel append(Path path) throws IOException {
        return FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    private void rotate() throws IOException {
        drain();
        out.close();
        Files.deleteIfExists(rotated(keep));
        for (int i = keep - 1; i >= 1; i--) {
            if (Files.exists(rotated(i))) {
                Files.move(rotated(i), rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(file, rotated(1), StandardCopyOption.REPLACE_EXISTING);
        out = append(file);
        written = 0;
    }

    private Path rotated(int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }

    @Override
    public void close() throws IOException {
        if (out == null) {
            return;
        }
        try {
            drain();
        } finally {
            if (file != null) {
                out.close(); // never close the process's stdout
            }
        }
    }
}
