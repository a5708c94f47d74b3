package io.edgeway.dataplane.site;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's content-addressed file store: {@code <data dir>/sites/blobs/<sha256>}, files 0600 in a 0700
 * directory. A blob's name is its hash and it is only ever written by {@link #commit} after the hash was
 * verified, so a name on disk always means those bytes.
 *
 * <p>Files are opened by the hash a manifest names, never by a path built from a URL: nothing a client sends
 * becomes part of a filesystem path. Opening refuses symlinks ({@code NOFOLLOW_LINKS}), so a link planted in
 * the directory cannot lead outside it either.
 */
public final class SiteBlobs {
    private static final Logger log = LoggerFactory.getLogger(SiteBlobs.class);
    static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    /** No directory: any deployment with files is refused (tests that build configs without a data dir). */
    public static final SiteBlobs NONE = new SiteBlobs(null);
    /** A temp file untouched this long belongs to no live fetch (their deadline is shorter). */
    private static final long STALE_TEMP_MS = java.util.concurrent.TimeUnit.HOURS.toMillis(1);

    /**
     * For the control plane, which compiles snapshots to check and explain them but serves no file: every blob
     * counts as present (the control plane refuses a deployment whose files it lacks; each proxy checks its disk).
     */
    public static final SiteBlobs ASSUMED_PRESENT = new SiteBlobs(null, true);

    private final Path dir;
    private final boolean assumePresent;
    private final SmallFiles smallFiles = new SmallFiles(SmallFiles.DEFAULT_MAX_BYTES);

    public SiteBlobs(Path dir) {
        this(dir, false);
    }

    private SiteBlobs(Path dir, boolean assumePresent) {
        this.dir = dir;
        this.assumePresent = assumePresent;
    }

    /** A small blob's bytes from memory (read on first use), or null: a large blob is sent from its file. */
    public io.netty.buffer.ByteBuf smallFile(SiteFile.Blob blob) throws IOException {
        return dir == null ? null : smallFiles.get(blob, this);
    }

    /** How many small files are held in memory (for tests and diagnostics). */
    public long smallFilesHeld() {
        return smallFiles.entries();
    }

    public static SiteBlobs under(Path dataDir) {
        return new SiteBlobs(requireNonNull(dataDir, "dataDir").resolve("sites").resolve("blobs"));
    }

    public Path dir() {
        return dir;
    }

    /** Whether a verified blob of that size is on disk (a regular file, not a link). */
    public boolean has(SiteFile.Blob blob) {
        if (dir == null) {
            return assumePresent;
        }
        Path p = dir.resolve(blob.sha256());
        try {
            return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.size(p) == blob.size();
        } catch (IOException e) {
            return false;
        }
    }

    /** Opens a blob for reading; the caller closes it. Blocking, like nginx's open(): a local disk, no network. */
    public FileChannel open(SiteFile.Blob blob) throws IOException {
        if (dir == null || !SHA256.matcher(blob.sha256()).matches()) {
            throw new IOException("no blob store");
        }
        return FileChannel.open(dir.resolve(blob.sha256()), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    }

    /** A new temp file (0600) in the blob directory, so the final rename stays on one file system. */
    Path newTempFile(String sha256) throws IOException {
        createDirectory();
        return Files.createTempFile(dir, ".tmp-" + sha256.substring(0, 12) + "-", "",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    /** Makes a verified temp file the blob {@code sha256}; an existing blob of that name holds the same bytes. */
    void commit(Path temp, String sha256) throws IOException {
        Files.move(temp, dir.resolve(sha256), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static boolean isStale(Path p) throws IOException {
        return Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis()
                < System.currentTimeMillis() - STALE_TEMP_MS;
    }

    private void createDirectory() throws IOException {
        if (dir == null) {
            throw new IOException("no blob store");
        }
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir.getParent());
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another fetch made it
            }
        }
    }

    /**
     * Deletes the blobs no deployment in {@code keep} uses (the applied and the previous snapshot's). A file
     * being sent stays readable after the unlink (it is open), so a response in flight is never cut; only
     * names that are hashes are touched, never a temp file of a fetch in progress.
     */
    public int collectGarbage(Set<String> keep) {
        if (dir == null || !Files.isDirectory(dir)) {
            return 0;
        }
        int deleted = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                if (SHA256.matcher(name).matches() && !keep.contains(name)) {
                    Files.deleteIfExists(p);
                    deleted++;
                } else if (name.startsWith(".tmp-") && isStale(p)) {
                    Files.deleteIfExists(p); // a fetch cut short by a crash; a live one writes more often than this
                }
            }
        } catch (IOException e) {
            log.warn("could not collect unused site blobs in {}: {}", dir, e.toString());
        }
        return deleted;
    }
}
