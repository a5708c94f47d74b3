package io.edgeway.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import io.edgeway.proto.v1.ControlMessage;
import io.edgeway.proto.v1.Snapshot;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One config version, serialized once and shared by every stream. Each send needs its own nonce; instead
 * of re-serializing thousands of routes per node, the nonce is appended as a second encoding of the same
 * field: protobuf parsers merge repeated occurrences of a message field, so the receiver sees one
 * Snapshot with the nonce set.
 */
public record PreparedSnapshot(long version, Snapshot snapshot, byte[] encoded) {
    public PreparedSnapshot {
        requireNonNull(snapshot, "snapshot");
        requireNonNull(encoded, "encoded");
    }

    // Counts full serializations, so a benchmark can check there is one per version, not one per stream.
    private static final AtomicLong SERIALIZED = new AtomicLong();

    /** How many snapshots this JVM has serialized in full. */
    public static long serializations() {
        return SERIALIZED.get();
    }

    static PreparedSnapshot of(Snapshot snapshot) {
        requireNonNull(snapshot, "snapshot");
        if (!snapshot.getNonce().isEmpty()) {
            throw new IllegalArgumentException("snapshot.nonce: " + snapshot.getNonce() + " (expected: empty, set per send)");
        }
        byte[] encoded = ControlMessage.newBuilder().setSnapshot(snapshot).build().toByteArray();
        SERIALIZED.incrementAndGet();
        return new PreparedSnapshot(snapshot.getVersion(), snapshot, encoded);
    }

    /** The wire bytes of a ControlMessage carrying this snapshot with {@code nonce}. */
    byte[] withNonce(String nonce) {
        byte[] suffix = ControlMessage.newBuilder()
                .setSnapshot(Snapshot.newBuilder().setNonce(nonce))
                .build()
                .toByteArray();
        byte[] out = new byte[encoded.length + suffix.length];
        System.arraycopy(encoded, 0, out, 0, encoded.length);
        System.arraycopy(suffix, 0, out, encoded.length, suffix.length);
        return out;
    }
}
