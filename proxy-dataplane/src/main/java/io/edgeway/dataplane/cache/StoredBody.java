package io.edgeway.dataplane.cache;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;

/**
 * A stored body: one read-only direct buffer shared by every hit on every event loop. A hit sends a
 * {@code duplicate()} of it, so the socket writes it from where it is (no copy into a pooled buffer, no
 * allocation beyond the duplicate's few fields).
 *
 * <p>Its memory is a JDK direct {@link ByteBuffer}, freed by the garbage collector once nothing refers to it,
 * and the Netty buffer around it is unreleasable. That is the reference count: an entry evicted (or purged, or
 * replaced) while a slow client's write still holds a duplicate stays valid until that write is done, and a
 * {@link Lookup} may keep its entry across a target round trip without retaining it. A Netty reference count
 * would need every lookup to retain and release, and a retain racing an eviction's release to fail cleanly.
 */
final class StoredBody {
    private StoredBody() {}

    static ByteBuf of(byte[] bytes, int length) {
        if (length == 0) {
            return Unpooled.EMPTY_BUFFER;
        }
        ByteBuffer direct = ByteBuffer.allocateDirect(length);
        direct.put(bytes, 0, length).flip();
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(direct).asReadOnly());
    }

    /** A copy of {@code src}'s remaining bytes (e.g. a mapped disk file's body, whose file may then go). */
    static ByteBuf of(ByteBuffer src) {
        if (!src.hasRemaining()) {
            return Unpooled.EMPTY_BUFFER;
        }
        ByteBuffer direct = ByteBuffer.allocateDirect(src.remaining());
        direct.put(src.duplicate()).flip();
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(direct).asReadOnly());
    }
}
