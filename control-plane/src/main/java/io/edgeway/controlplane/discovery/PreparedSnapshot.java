package io.edgeway.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import io.edgeway.proto.v1.ControlMessage;
import io.edgeway.proto.v1.Snapshot;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * One config version, serialized once (and gzipped once) and shared by every stream. Each send needs its
 * own nonce; instead of re-serializing thousands of routes per node, a tiny per-send head (version and
 * nonce) goes in front of the shared body as a second encoding of the same field: protobuf parsers merge
 * repeated occurrences of a message field, so the receiver sees one Snapshot with the nonce set. The head
 * comes first so a reader that only wants version and nonce can stop after a few bytes.
 *
 * <p>Compressed, the head is its own gzip member in front of the shared body's member: RFC 1952 defines a
 * gzip stream as a series of members, and grpc-java's decompressor (java.util.zip.GZIPInputStream) reads
 * them all. So the body is deflated once per version, never per stream.
 *
 * <p>Issue 22: when the version has a delta, the full body's gzip is deferred past the install, as the nodes
 * that take the delta (most of them, after a one-entity write) never need it: {@link #gzipped()} makes it on first
 * use, which is the builder thread right after the install ({@link #prepareFull()}) unless a node needing the
 * full snapshot asks first. The full encoding itself stays eager: the delta's result hash is taken from it.
 */
public final class PreparedSnapshot {
    private final long version;
    private final Snapshot snapshot;
    private final byte[] encoded;
    private final Delta delta;
    private volatile byte[] gzipped; // set once, under this object's lock

    private PreparedSnapshot(Snapshot snapshot, byte[] encoded, byte[] gzipped, Delta delta) {
        this.snapshot = requireNonNull(snapshot, "snapshot");
        this.version = snapshot.getVersion();
        this.encoded = requireNonNull(encoded, "encoded");
        this.gzipped = gzipped;
        this.delta = delta;
    }

    /**
     * The changes from {@code baseVersion} to this version (issue 22), serialized and gzipped once like the full
     * body and shared by every node that runs {@code baseVersion}.
     */
    public record Delta(long baseVersion, byte[] encoded, byte[] gzipped) {
        public Delta {
            requireNonNull(encoded, "encoded");
            requireNonNull(gzipped, "gzipped");
        }
    }

    // Counts full serializations, so a benchmark can check there is one per version, not one per stream.
    private static final AtomicLong SERIALIZED = new AtomicLong();

    /** How many snapshots this JVM has serialized in full. */
    public static long serializations() {
        return SERIALIZED.get();
    }

    public long version() {
        return version;
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    /** The full snapshot as a ControlMessage. */
    public byte[] encoded() {
        return encoded;
    }

    /** {@link #encoded()} as one gzip member, made on the first call. */
    public byte[] gzipped() {
        byte[] g = gzipped;
        return g != null ? g : prepareFull();
    }

    /** The delta from the previous build, or null: every node gets the full snapshot. */
    public Delta delta() {
        return delta;
    }

    /** Makes the full body's gzip now unless it exists; the builder calls it after the install, off the push path. */
    synchronized byte[] prepareFull() {
        if (gzipped == null) {
            gzipped = gzip(encoded);
        }
        return gzipped;
    }

    /** Whether the full body's gzip is made (tests: a delta install leaves it to {@link #prepareFull()}). */
    boolean fullPrepared() {
        return gzipped != null;
    }

    static PreparedSnapshot of(Snapshot snapshot) {
        byte[] encoded = encode(snapshot);
        return new PreparedSnapshot(snapshot, encoded, gzip(encoded), null);
    }

    private static byte[] encode(Snapshot snapshot) {
        requireNonNull(snapshot, "snapshot");
        if (!snapshot.getNonce().isEmpty()) {
            throw new IllegalArgumentException("snapshot.nonce: " + snapshot.getNonce() + " (expected: empty, set per send)");
        }
        byte[] encoded = ControlMessage.newBuilder().setSnapshot(snapshot).build().toByteArray();
        SERIALIZED.incrementAndGet();
        return encoded;
    }

    /**
     * As {@link #of(Snapshot)}, plus the delta from {@code previous} (the last version built, which is what most
     * nodes run when this one goes out) when one exists that is smaller than the full snapshot; then the full
     * body's gzip is left for {@link #prepareFull()}.
     */
    static PreparedSnapshot of(Snapshot snapshot, PreparedSnapshot previous) {
        byte[] encoded = encode(snapshot);
        if (previous == null || previous.version() >= snapshot.getVersion()) {
            return new PreparedSnapshot(snapshot, encoded, gzip(encoded), null);
        }
        // The result hash is a placeholder of its size until the delta proves smaller than the full snapshot: hashing
        // the full encoding (16 MB for 10,000 certificates, an eighth of such a build's CPU) is wasted on a delta
        // that carries nearly everything and is dropped.
        Snapshot diff = io.edgeway.proto.delta.SnapshotDeltas.diff(previous.snapshot(), snapshot, new byte[32]);
        // Sized before it is encoded: a delta that carries nearly everything (10,000 new certificates) is not
        // smaller, and encoding it was a second serialization of the whole snapshot on the push path.
        ControlMessage deltaMessage = diff == null ? null : ControlMessage.newBuilder().setSnapshot(diff).build();
        byte[] deltaEncoded = deltaMessage == null || deltaMessage.getSerializedSize() >= encoded.length ? null
                : withResultSha256(diff, snapshotSha256(encoded)).toByteArray();
        if (deltaEncoded == null) {
            // no delta, or one as large as the full snapshot (e.g. most routes changed at once), which needs no base
            return new PreparedSnapshot(snapshot, encoded, gzip(encoded), null);
        }
        return new PreparedSnapshot(snapshot, encoded, null,
                new Delta(previous.version(), deltaEncoded, gzip(deltaEncoded)));
    }

    /** {@code diff} as a ControlMessage, its result hash (of the same size as the placeholder) set to {@code sha256}. */
    private static ControlMessage withResultSha256(Snapshot diff, byte[] sha256) {
        Snapshot hashed = diff.toBuilder()
                .setDelta(diff.getDelta().toBuilder().setResultSha256(com.google.protobuf.ByteString.copyFrom(sha256)))
                .build();
        return ControlMessage.newBuilder().setSnapshot(hashed).build();
    }

    /**
     * SHA-256 of the Snapshot's own encoding, which is the ControlMessage's one field after its tag and length:
     * the same bytes as {@code snapshot.toByteArray()}, without serializing it again.
     */
    static byte[] snapshotSha256(byte[] controlMessage) {
        try {
            var in = com.google.protobuf.CodedInputStream.newInstance(controlMessage);
            int tag = in.readTag();
            if (com.google.protobuf.WireFormat.getTagFieldNumber(tag) != ControlMessage.SNAPSHOT_FIELD_NUMBER) {
                throw new IllegalStateException("control message: field " + (tag >>> 3) + " (expected: snapshot)");
            }
            int length = in.readRawVarint32();
            int offset = in.getTotalBytesRead();
            if (offset + length != controlMessage.length) {
                throw new IllegalStateException("control message: " + controlMessage.length + " bytes, snapshot ends at "
                        + (offset + length));
            }
            var sha = java.security.MessageDigest.getInstance("SHA-256");
            sha.update(controlMessage, offset, length);
            return sha.digest();
        } catch (java.io.IOException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("hashing an in-memory snapshot failed", e);
        }
    }

    /**
     * The one place that chooses how a version is encoded for a node: the delta when the node is known to run
     * exactly its base (and accepts deltas), else the full snapshot. Whether to send this version at all is
     * NodeStream's (and the rollout's) decision, not this method's.
     */
    Payload payloadFor(String nonce, boolean compressed, long nodeRuns, boolean deltaAllowed) {
        return deltaFor(nodeRuns, deltaAllowed) ? payload(nonce, compressed, delta.encoded(), delta.gzipped())
                : payload(nonce, compressed);
    }

    /** Whether {@link #payloadFor} sends the delta to a node that runs {@code nodeRuns}. */
    boolean deltaFor(long nodeRuns, boolean deltaAllowed) {
        return deltaAllowed && delta != null && delta.baseVersion() == nodeRuns;
    }

    private Payload payload(String nonce, boolean compressed, byte[] body, byte[] gzippedBody) {
        byte[] head = ControlMessage.newBuilder()
                .setSnapshot(Snapshot.newBuilder().setVersion(version).setNonce(nonce))
                .build()
                .toByteArray();
        return compressed ? new Payload(storedGzipMember(head), gzippedBody) : new Payload(head, body);
    }

    /** The message for one send: the per-send head, then the shared body, gzipped or not. */
    Payload payload(String nonce, boolean compressed) {
        return payload(nonce, compressed, encoded, compressed ? gzipped() : null);
    }

    /**
     * Fastest level on purpose: on a 10,000-route snapshot it was both ~5x faster than the default level and
     * no larger (45.6 KB vs 47.0 KB), and this runs on the path from a write to the fleet.
     */
    private static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 4 + 64);
        Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
        try (DeflaterOutputStream deflate = new DeflaterOutputStream(out, deflater, 64 * 1024)) {
            writeHeader(out);
            deflate.write(data);
            deflate.finish();
            writeTrailer(out, data);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("in-memory gzip failed", e); // a ByteArrayOutputStream never throws
        } finally {
            deflater.end();
        }
        return out.toByteArray();
    }

    /**
     * The head as a gzip member holding one stored (uncompressed) deflate block: a few dozen bytes gain
     * nothing from compression, and this way a send allocates no native Deflater.
     */
    static byte[] storedGzipMember(byte[] data) {
        if (data.length > 0xffff) {
            throw new IllegalArgumentException("head: " + data.length + " bytes (expected: <= 65535)");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 23);
        writeHeader(out);
        out.write(0x01); // BFINAL=1, BTYPE=00 (stored); the rest of the byte is padding
        out.write(data.length & 0xff);
        out.write(data.length >>> 8);
        out.write(~data.length & 0xff);
        out.write((~data.length >>> 8) & 0xff);
        out.write(data, 0, data.length);
        writeTrailer(out, data);
        return out.toByteArray();
    }

    private static void writeHeader(ByteArrayOutputStream out) {
        // magic, CM=deflate, no flags, no mtime, no extra flags, OS=unknown
        out.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff}, 0, 10);
    }

    private static void writeTrailer(ByteArrayOutputStream out, byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        writeIntLe(out, (int) crc.getValue());
        writeIntLe(out, data.length);
    }

    private static void writeIntLe(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }
}
