package io.edgeway.dataplane.config;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.dataplane.status.RouteMeters;
import io.edgeway.dataplane.site.SiteBlobs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last applied snapshot on disk, so a restarted proxy serves while the control plane is unreachable.
 *
 * <p>File layout ({@code snapshot.bin}): 8-byte magic {@code EWSNAP01}, int64 version, int32 payload length,
 * 32-byte SHA-256 over the magic, version, length and payload, then the serialized {@link Snapshot}. A file
 * whose digest, length or version does not match is refused as a whole: a proxy never runs half a config.
 *
 * <p>Writes go to a temp file that is fsynced, then the current file becomes {@code snapshot.bin.prev} and
 * the temp file is renamed over it; a crash at any point leaves at least one complete generation. Loading
 * tries the current generation and falls back to {@code .prev} (an older but whole config the control plane
 * once pushed, which beats serving nothing during an outage); if neither is usable the proxy stays not-ready.
 */
public final class DiskCache {
    private static final Logger log = LoggerFactory.getLogger(DiskCache.class);
    static final byte[] MAGIC = "EWSNAP01".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER = MAGIC.length + Long.BYTES + Integer.BYTES + 32;
    static final int MAX_PAYLOAD = 256 * 1024 * 1024;

    private final Path dir;
    private final Path file;
    private final Path prev;
    private final SiteBlobs siteBlobs;

    public DiskCache(Path dir) {
        this.dir = requireNonNull(dir, "dir");
        this.file = dir.resolve("snapshot.bin");
        this.prev = dir.resolve("snapshot.bin.prev");
        this.siteBlobs = SiteBlobs.under(dir);
    }

    /** Where the site files of the cached (and every applied) config live: beside the snapshot, same data dir. */
    public SiteBlobs siteBlobs() {
        return siteBlobs;
    }

    public Path file() {
        return file;
    }

    public Path previous() {
        return prev;
    }

    /** Writes one generation durably and keeps the one before it as {@code .prev}. Blocking: not for event loops. */
    public void store(Snapshot snapshot) throws IOException {
        byte[] payload = snapshot.toByteArray();
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        header.put(MAGIC).putLong(snapshot.getVersion()).putInt(payload.length);
        header.put(digest(MAGIC, snapshot.getVersion(), payload)).flip();
        Files.createDirectories(dir);
        // 0600 from creation, so the config (and later its secrets) is never readable by others, not even briefly.
        Path tmp = Files.createTempFile(dir, "snapshot", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(new ByteBuffer[] {header, ByteBuffer.wrap(payload)});
                ch.force(true);
            }
            if (Files.exists(file)) {
                Files.move(file, prev, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory();
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The newest whole, valid generation, or empty (logged) when none is usable. */
    public Optional<RuntimeConfig> load() {
        return load(RouteMeters.NONE);
    }

    /** As above, its routes measured by {@code meters}. */
    public Optional<RuntimeConfig> load(RouteMeters meters) {
        return loadPartially(meters).map(PartialConfig::config);
    }

    /**
     * As above, with the entities the cached version left out (issue 22): a proxy restarted from its cache must
     * report them again in its Ack of that version, or the ledger would show a clean apply.
     */
    public Optional<PartialConfig> loadPartially(RouteMeters meters) {
        for (Path p : new Path[] {file, prev}) {
            try {
                Snapshot s = read(p);
                // What was applied is cached, quarantined entities and all (issue 22): they stay left out here too.
                PartialConfig config = RuntimeConfig.compile(s, RuntimeConfig.NONE, meters, siteBlobs); // blobs on disk: no refetch
                if (p.equals(prev)) {
                    log.warn("using the previous cached generation {} (version {})", p, s.getVersion());
                }
                return Optional.of(config);
            } catch (NoSuchFileException e) {
                log.debug("no cached snapshot at {}", p);
            } catch (IOException | InvalidConfigException | RuntimeException e) {
                log.error("refusing cached snapshot {}: {}", p, e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** The cached snapshot of {@code version} (the newest generation or the previous one), as {@link #load} read it. */
    public Snapshot snapshot(long version) throws IOException {
        for (Path p : new Path[] {file, prev}) {
            try {
                Snapshot s = read(p);
                if (s.getVersion() == version) {
                    return s;
                }
            } catch (IOException e) {
                log.debug("cached snapshot {} not usable: {}", p, e.toString());
            }
        }
        throw new IOException("cached snapshot version " + version + " is gone");
    }

    /** Reads and verifies one file; any mismatch is an {@link IOException} naming what is wrong. */
    static Snapshot read(Path p) throws IOException {
        byte[] bytes = Files.readAllBytes(p);
        if (bytes.length < HEADER) {
            throw new IOException("truncated: " + bytes.length + " bytes (expected: >= " + HEADER + ")");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte[] magic = new byte[MAGIC.length];
        b.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IOException("not an edgeway snapshot cache (bad magic)");
        }
        long version = b.getLong();
        int length = b.getInt();
        if (length < 0 || length > MAX_PAYLOAD || length != bytes.length - HEADER) {
            throw new IOException("payload length " + length + " does not match the file size " + bytes.length);
        }
        byte[] expected = new byte[32];
        b.get(expected);
        byte[] payload = Arrays.copyOfRange(bytes, HEADER, bytes.length);
        if (!MessageDigest.isEqual(expected, digest(magic, version, payload))) {
            throw new IOException("checksum mismatch");
        }
        Snapshot s;
        try {
            s = Snapshot.parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
            throw new IOException("unparseable snapshot: " + e.getMessage(), e);
        }
        if (s.getVersion() != version) {
            throw new IOException("header version " + version + " != snapshot version " + s.getVersion());
        }
        return s;
    }

    private static byte[] digest(byte[] magic, long version, byte[] payload) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(magic);
            md.update(ByteBuffer.allocate(Long.BYTES + Integer.BYTES).putLong(version).putInt(payload.length).array());
            md.update(payload);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }

    /** Makes the renames durable too; without it a power loss can bring back the old directory entries. */
    private void syncDirectory() {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            log.debug("could not fsync {}: {}", dir, e.toString()); // some file systems refuse; the data is synced
        }
    }
}
