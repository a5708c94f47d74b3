package io.edgeway.dataplane.site;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Small site files kept in memory, like nginx's open_file_cache but holding the bytes: a 1 KiB file otherwise
 * costs an open(), an fstat() and a sendfile() per request. Keyed by the blob's SHA-256, which names the same
 * bytes forever, so nothing ever needs invalidating; a blob no deployment uses just ages out. Bounded in bytes.
 * Files larger than {@link #MAX_FILE_BYTES} keep the zero-copy file path.
 *
 * <p>Each file is one read-only direct buffer, unreleasable, its memory freed by the garbage collector once no
 * answer still being written holds a slice of it (the same reasoning as the response cache's stored bodies).
 */
final class SmallFiles {
    static final int MAX_FILE_BYTES = 64 * 1024;
    static final long DEFAULT_MAX_BYTES = 32L << 20;

    private final Cache<String, ByteBuf> files;

    SmallFiles(long maxBytes) {
        this.files = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((String k, ByteBuf v) -> 128 + v.capacity())
                .executor(Runnable::run)
                .build();
    }

    /** The blob's bytes when it is small, else null; {@code open} reads it on the first request (a local disk). */
    ByteBuf get(SiteFile.Blob blob, SiteBlobs blobs) throws IOException {
        if (blob.size() > MAX_FILE_BYTES || blob.size() <= 0) {
            return null;
        }
        ByteBuf cached = files.getIfPresent(blob.sha256());
        if (cached != null) {
            return cached;
        }
        ByteBuf loaded = read(blob, blobs);
        if (loaded != null) {
            files.put(blob.sha256(), loaded);
        }
        return loaded;
    }

    /** Null when the file on disk is not the size the manifest says (then the file path answers, or fails, as before). */
    private static ByteBuf read(SiteFile.Blob blob, SiteBlobs blobs) throws IOException {
        int size = (int) blob.size();
        ByteBuffer direct = ByteBuffer.allocateDirect(size);
        try (FileChannel ch = blobs.open(blob)) {
            while (direct.hasRemaining() && ch.read(direct) >= 0) {
                // a regular file: read until full
            }
            if (direct.hasRemaining() || ch.size() != size) {
                return null;
            }
        }
        direct.flip();
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(direct).asReadOnly());
    }

    long entries() {
        files.cleanUp();
        return files.estimatedSize();
    }
}
