package io.edgeway.dataplane.cache;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * One stored response as the bytes of its disk file: the fields of {@link CachedResponse}, headers, body, and a
 * CRC32C of all of it at the end. A file is read back only if its checksum and every length in it agree, so a
 * truncated, torn or flipped file is rejected (a miss), never half-parsed into an answer.
 */
final class DiskFormat {
    private static final int MAGIC = 0x45574331; // "EWC1"
    private static final int TRAILER = Long.BYTES;

    private DiskFormat() {}

    static byte[] encode(CachedResponse r) throws IOException {
        ByteBuf body = r.body();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(body.readableBytes() + 1024);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(MAGIC);
        writeString(out, r.key());
        out.writeInt(r.status());
        out.writeLong(r.responseTimeMs());
        out.writeLong(r.initialAgeS());
        out.writeLong(r.freshnessMs());
        CachedResponse.Directives d = r.directives();
        out.writeBoolean(d.noCache());
        out.writeBoolean(d.mustRevalidate());
        out.writeBoolean(d.sharedWithAuthorization());
        out.writeLong(d.staleWhileRevalidateS());
        out.writeLong(d.staleIfErrorS());
        out.writeBoolean(r.etag() != null);
        writeString(out, r.etag() == null ? "" : r.etag());
        out.writeLong(r.lastModifiedMs());
        writeStrings(out, r.vary());
        writeStrings(out, List.copyOf(r.tags()));
        out.writeInt(r.headers().size());
        for (var h : r.headers()) {
            writeString(out, h.getKey());
            writeString(out, h.getValue());
        }
        byte[] b = new byte[body.readableBytes()];
        body.getBytes(body.readerIndex(), b);
        out.writeInt(b.length);
        out.write(b);
        CRC32C crc = new CRC32C();
        crc.update(bytes.toByteArray());
        out.writeLong(crc.getValue());
        out.flush();
        return bytes.toByteArray();
    }

    /** The response in {@code file}, or an {@link IllegalArgumentException} when it is not one whole, intact file. */
    static CachedResponse decode(ByteBuffer file) {
        int size = file.remaining();
        if (size < Integer.BYTES + TRAILER) {
            throw new IllegalArgumentException("short file: " + size + " bytes");
        }
        ByteBuffer content = file.slice(file.position(), size - TRAILER);
        CRC32C crc = new CRC32C();
        crc.update(content.duplicate());
        if (crc.getValue() != file.getLong(file.position() + size - TRAILER)) {
            throw new IllegalArgumentException("checksum mismatch");
        }
        ByteBuffer in = content;
        if (in.getInt() != MAGIC) {
            throw new IllegalArgumentException("not a cache file");
        }
        try {
            String key = readString(in);
            int status = in.getInt();
            long responseTimeMs = in.getLong();
            long initialAgeS = in.getLong();
            long freshnessMs = in.getLong();
            var directives = new CachedResponse.Directives(in.get() != 0, in.get() != 0, in.get() != 0,
                    in.getLong(), in.getLong());
            boolean hasEtag = in.get() != 0;
            String etag = readString(in);
            long lastModifiedMs = in.getLong();
            List<String> vary = readStrings(in);
            Set<String> tags = Set.copyOf(new LinkedHashSet<>(readStrings(in)));
            int headerCount = count(in);
            HttpHeaders headers = new DefaultHttpHeaders(); // validated again: a bad name or value is a bad file
            for (int i = 0; i < headerCount; i++) {
                headers.add(readString(in), readString(in));
            }
            int bodyLength = count(in);
            if (bodyLength != in.remaining()) {
                throw new IllegalArgumentException("body length " + bodyLength + " vs " + in.remaining() + " bytes left");
            }
            ByteBuf body = StoredBody.of(in.slice(in.position(), bodyLength));
            return new CachedResponse(key, status, headers, body, responseTimeMs, initialAgeS, freshnessMs,
                    directives, hasEtag ? etag : null, lastModifiedMs, vary, tags);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated record", e);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static void writeStrings(DataOutputStream out, List<String> list) throws IOException {
        out.writeInt(list.size());
        for (String s : list) {
            writeString(out, s);
        }
    }

    /** A length or count that must fit in what is left (so a bad one cannot make us allocate gigabytes). */
    private static int count(ByteBuffer in) {
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) {
            throw new IllegalArgumentException("bad length " + n);
        }
        return n;
    }

    private static String readString(ByteBuffer in) {
        int n = count(in);
        byte[] b = new byte[n];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static List<String> readStrings(ByteBuffer in) {
        int n = count(in);
        List<String> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(readString(in));
        }
        return List.copyOf(list);
    }
}
