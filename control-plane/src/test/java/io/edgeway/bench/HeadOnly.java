package io.edgeway.bench;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.edgeway.dataplane.config.RuntimeConfig;
import io.edgeway.proto.v1.ControlMessage;
import io.grpc.Codec;
import io.grpc.Decompressor;
import io.grpc.DecompressorRegistry;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.zip.DataFormatException;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;

/**
 * A cheap but honest simulated node for the fan-out benchmark. The control plane puts a small head
 * (version and nonce) in front of every snapshot, as its own gzip member when compressed; this node reads
 * only that head and skips the rest. Inflating, parsing and compiling the whole snapshot is work each real
 * proxy does on its own CPU, in parallel across a fleet; run for 5,000 nodes on this JVM's two cores it
 * would measure the simulation, not the control plane. {@link #proxyApplyMillis} measures that cost once,
 * so it can be added to the fan-out time.
 */
final class HeadOnly {
    private HeadOnly() {}

    /** What the node acks with, and the message's size on the wire (compressed when it was). */
    record Head(long version, String nonce, int wireBytes, boolean gzip) {
        /** A FleetShare (issue 18), not a snapshot: nothing to ack. */
        static final Head FLEET_SHARE = new Head(-1, "", 0, false);
    }

    /** ControlMessage.fleet_share's field number: the control plane also sends the proxy count (issue 18). */
    private static final int FLEET_SHARE_FIELD = 20;

    /** Whether one message's raw bytes (as {@link #RAW} keeps them) are a FleetShare rather than a snapshot. */
    static boolean isFleetShare(byte[] wire) throws IOException, DataFormatException {
        byte[] head = wire.length > 0 && (wire[0] & 0xff) == 0x1f
                ? firstGzipMember(java.util.Arrays.copyOf(wire, Math.min(wire.length, 512))) : wire;
        return head.length > 0 && WireFormat.getTagFieldNumber(CodedInputStream.newInstance(head).readTag()) == FLEET_SHARE_FIELD;
    }

    /** Uncompressed messages only: the server names "identity" in its headers, so it must be known. */
    static final DecompressorRegistry IDENTITY_ONLY = DecompressorRegistry.emptyInstance().with(Codec.Identity.NONE, false);

    /**
     * Advertised as "gzip" so the control plane sends its pre-gzipped bytes, but hands them over unchanged:
     * the marshaller inflates only the head's member.
     */
    static final DecompressorRegistry GZIP_UNTOUCHED = IDENTITY_ONLY.with(new Decompressor() {
        @Override
        public String getMessageEncoding() {
            return "gzip";
        }

        @Override
        public InputStream decompress(InputStream is) {
            return is;
        }
    }, true);

    static final MethodDescriptor.Marshaller<Head> MARSHALLER = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(Head value) {
            throw new UnsupportedOperationException("a node never sends a ControlMessage");
        }

        @Override
        public Head parse(InputStream in) {
            try {
                int wire = in.available(); // gRPC's message streams know their length
                byte[] start = in.readNBytes(512); // the rest is left unread; gRPC releases it
                // gRPC wraps the stream, so tell the encodings apart by their first byte: a gzip member starts
                // with 0x1f, a ControlMessage with the snapshot field's tag, 0x0a.
                boolean gzip = start.length > 0 && (start[0] & 0xff) == 0x1f;
                return readHead(gzip ? firstGzipMember(start) : start, wire, gzip);
            } catch (IOException | DataFormatException e) {
                throw new IllegalStateException("unreadable ControlMessage head", e);
            }
        }
    };

    /** Inflates the first member of a gzip stream (the head) from at most its first 512 bytes. */
    private static byte[] firstGzipMember(byte[] start) throws IOException, DataFormatException {
        if (start.length < 18 || (start[0] & 0xff) != 0x1f || (start[1] & 0xff) != 0x8b || start[3] != 0) {
            throw new IOException("expected a gzip member without optional header fields");
        }
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(start, 10, start.length - 10);
            byte[] out = new byte[256];
            int n = inflater.inflate(out);
            if (!inflater.finished()) {
                throw new IOException("head member longer than expected");
            }
            return java.util.Arrays.copyOf(out, n);
        } finally {
            inflater.end();
        }
    }

    /** version and nonce from the head's Snapshot (ControlMessage field 1); reads nothing after it. */
    private static Head readHead(byte[] head, int wire, boolean gzip) throws IOException {
        CodedInputStream c = CodedInputStream.newInstance(head);
        int tag = c.readTag();
        if (WireFormat.getTagFieldNumber(tag) == FLEET_SHARE_FIELD) {
            return Head.FLEET_SHARE;
        }
        if (WireFormat.getTagFieldNumber(tag) != 1 || WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            throw new IOException("expected ControlMessage.snapshot first, got tag " + tag);
        }
        int length = c.readRawVarint32();
        if (length > head.length - c.getTotalBytesRead()) {
            throw new IOException("head of " + length + " bytes does not fit in the first 512: not a head?");
        }
        c.pushLimit(length);
        long version = 0;
        String nonce = "";
        while (!c.isAtEnd()) {
            int t = c.readTag();
            switch (WireFormat.getTagFieldNumber(t)) {
                case 1 -> version = c.readInt64();
                case 2 -> nonce = c.readString();
                default -> c.skipField(t);
            }
        }
        if (nonce.isEmpty()) {
            throw new IOException("head without a nonce: the control plane no longer sends the head first?");
        }
        return new Head(version, nonce, wire, gzip);
    }

    /** Keeps one message's raw bytes, to measure a real proxy's cost on it afterwards. */
    static final MethodDescriptor.Marshaller<byte[]> RAW = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            throw new UnsupportedOperationException("a node never sends a ControlMessage");
        }

        @Override
        public byte[] parse(InputStream in) {
            try {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    /**
     * What one real proxy spends on a snapshot before it can Ack (best of a few runs): inflate (when gzip),
     * parse, and compile with the proxy's own RuntimeConfig; the disk cache write is not included.
     */
    static double proxyApplyMillis(byte[] wire, boolean gzip) throws Exception {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long t = System.nanoTime();
            InputStream in = new ByteArrayInputStream(wire);
            ControlMessage m = ControlMessage.parseFrom(gzip ? new GZIPInputStream(in, 64 * 1024) : in);
            RuntimeConfig.from(m.getSnapshot());
            best = Math.min(best, System.nanoTime() - t);
        }
        return best / 1e6;
    }
}
