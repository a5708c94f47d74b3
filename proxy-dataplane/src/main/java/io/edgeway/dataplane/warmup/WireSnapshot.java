package io.edgeway.dataplane.warmup;

import io.edgeway.proto.v1.ConfigDiscoveryGrpc;
import io.edgeway.proto.v1.ControlMessage;
import io.edgeway.proto.v1.Snapshot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A snapshot in the form the config stream delivers it: a gzipped {@code ControlMessage}, read back through the
 * stream's own marshaller. Why the certificate drill goes through it: a snapshot built in memory holds its PEM as
 * Strings, while a received one holds bytes that the first read decodes (UTF-8 check and copy, 12 MB for 10,000
 * certificates), after the inflating and the protobuf parse of every certificate message. None of that code ran
 * before a fresh proxy's first large apply, so that apply paid for compiling it.
 */
final class WireSnapshot {
    private WireSnapshot() {}

    /** {@code snapshot} as the control plane sends it (one gzip member; the per-send head is left out). */
    static byte[] gzipped(Snapshot snapshot) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            ControlMessage.newBuilder().setSnapshot(snapshot).build().writeTo(gzip);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // an in-memory stream does not fail
        }
        return out.toByteArray();
    }

    /** Reads {@link #gzipped} bytes back as the config client does: inflated, then the stream's response marshaller. */
    static Snapshot parse(byte[] gzipped) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            return ConfigDiscoveryGrpc.getStreamMethod().parseResponse(in).getSnapshot();
        } catch (IOException e) {
            throw new UncheckedIOException("not a gzipped control message", e);
        }
    }
}
