package io.edgeway.dataplane.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The disk tier's file system work: the private directory, file names no client can steer, and whole-file
 * writes and reads. Apart from {@link DiskTier}'s bookkeeping (index, byte count, threads) so the security
 * choices (0700/0600, names from a digest, no symlink followed at start) are in one short place.
 */
final class DiskFiles {
    private static final Logger log = LoggerFactory.getLogger(DiskFiles.class);

    private DiskFiles() {
    }

    /** Creates {@code dir} (0700) and deletes a previous run's files in it: their index died with that run. */
    static void prepare(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(f)) {
                    Files.delete(f);
                }
            }
        }
    }

    /** A new file (0600; never an existing one or a link's target) holding {@code data}. */
    static void writeNew(Path file, byte[] data) throws IOException {
        try (FileChannel ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
    }

    /** {@code file} mapped read-only, refused unless it has the {@code expectedBytes} written to it. */
    static MappedByteBuffer read(Path file, long expectedBytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size != expectedBytes) {
                throw new IllegalArgumentException("size " + size + " (written: " + expectedBytes + ")");
            }
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
        }
    }

    static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ex) {
            log.warn("cache: could not delete {}: {}", file.getFileName(), ex.toString());
        }
    }

    /** The SHA-256 of the key, in hex: nothing a client sends reaches a path. */
    static String fileName(String key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
