package io.edgeway.dataplane.site;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a deployment's answers say about each file variant, made on the variant's first request and kept as long
 * as the deployment: its ETag, and the head of its whole-file 200 answer as HTTP/1.1 bytes. Everything in that
 * head is fixed per deployment (validators, type, length, caching, coding), so a request for a small file costs
 * a copy of these bytes instead of a header map, a String per ETag and an encoding pass.
 *
 * <p>Keyed by the {@link SiteFile} object of this deployment's manifest, which is one per path: two paths with the
 * same bytes may differ in type and caching, so the blob alone is not a key.
 */
public final class FileHeads {
    /** One variant of one file: {@code wire200} has no blank line yet (the writer may still add fields). */
    record Head(String etag, byte[] wire200) {}

    private final ConcurrentHashMap<SiteFile, Head[]> heads = new ConcurrentHashMap<>();

    /** {@code coding}: {@link AcceptEncoding#IDENTITY}, {@link AcceptEncoding#GZIP} or {@link AcceptEncoding#BR}. */
    Head of(SiteFile file, int coding, Deployment deployment) {
        Head[] byCoding = heads.computeIfAbsent(file, f -> new Head[AcceptEncoding.BR + 1]);
        Head h = byCoding[coding];
        if (h == null) { // a race makes two equal heads; either may stay (records of final fields: safe to share)
            h = byCoding[coding] = make(file, coding, deployment);
        }
        return h;
    }

    private static Head make(SiteFile file, int coding, Deployment deployment) {
        SiteFile.Blob blob = coding == AcceptEncoding.BR ? file.br() : coding == AcceptEncoding.GZIP ? file.gzip() : file.identity();
        String etag = blob.etag();
        StringBuilder s = new StringBuilder(320).append("HTTP/1.1 200 OK\r\n");
        // The same fields, values and meaning as SiteResponder's object path (validators, then the body's fields).
        field(s, "etag", etag);
        field(s, "last-modified", deployment.lastModified());
        field(s, "cache-control", file.immutable() ? SiteResponder.IMMUTABLE : SiteResponder.NO_CACHE);
        if (file.hasVariants()) {
            field(s, "vary", SiteResponder.VARY_ENCODING);
        }
        field(s, "content-type", file.contentType());
        field(s, "accept-ranges", SiteResponder.BYTES);
        field(s, "x-content-type-options", SiteResponder.NOSNIFF);
        field(s, "content-length", Long.toString(blob.size()));
        if (coding != AcceptEncoding.IDENTITY) {
            field(s, "content-encoding", coding == AcceptEncoding.BR ? "br" : "gzip");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        out.writeBytes(s.toString().getBytes(StandardCharsets.US_ASCII)); // as Netty's encoder: non-ASCII is '?'
        return new Head(etag, out.toByteArray());
    }

    private static void field(StringBuilder s, String name, CharSequence value) {
        s.append(name).append(": ").append(value).append("\r\n");
    }
}
