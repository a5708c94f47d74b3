package io.edgeway.dataplane.cache;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.List;

/** A stored response made into an answer: Age, Cache-Status, a 304 for a matching conditional, no body for HEAD. */
public final class CachedAnswer {
    public static final AsciiString CACHE_STATUS = AsciiString.cached("cache-status");
    /** What a 304 carries from the stored response (RFC 9110 15.4.5). */
    private static final List<AsciiString> NOT_MODIFIED_FIELDS = List.of(HttpHeaderNames.CACHE_CONTROL,
            HttpHeaderNames.CONTENT_LOCATION, HttpHeaderNames.DATE, HttpHeaderNames.ETAG, HttpHeaderNames.EXPIRES,
            HttpHeaderNames.VARY, HttpHeaderNames.LAST_MODIFIED);

    private CachedAnswer() {}

    /**
     * The answer to a request with these {@code method} and request headers from {@code entry}.
     * {@code cacheStatus} is the whole Cache-Status value.
     */
    public static FullHttpResponse of(CachedResponse entry, HttpMethod method, HttpHeaders request, String cacheStatus,
            boolean keepAlive, long nowMs) {
        boolean notModified = entry.status() == 200 && notModified(entry, request);
        FullHttpResponse res;
        if (notModified) {
            res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED, Unpooled.EMPTY_BUFFER);
            for (AsciiString name : NOT_MODIFIED_FIELDS) {
                List<String> values = entry.headers().getAll(name);
                if (!values.isEmpty()) {
                    res.headers().set(name, values);
                }
            }
        } else {
            boolean head = HttpMethod.HEAD.equals(method);
            res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(entry.status()),
                    head ? Unpooled.EMPTY_BUFFER : entry.body().duplicate());
            res.headers().set(entry.headers());
            if (entry.status() != 204) {
                res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, entry.body().readableBytes());
            }
        }
        res.headers().set(HttpHeaderNames.AGE, entry.ageSeconds(nowMs));
        res.headers().set(CACHE_STATUS, cacheStatus);
        if (!keepAlive) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return res;
    }

    /**
     * The head of a full answer from {@code entry} over HTTP/1.1, as bytes: the entry's pre-encoded head plus
     * this answer's Age and {@code cacheStatus}, without the blank line (the writer adds Connection: close if it
     * closes). Null when the answer needs {@link #of}: a 304 for the request's conditionals, or a 204.
     */
    public static ByteBuf headBytes(ByteBufAllocator alloc, CachedResponse entry, HttpHeaders request,
            CharSequence cacheStatus, long nowMs) {
        if (entry.status() == 204 || (entry.status() == 200 && conditional(request) && notModified(entry, request))) {
            return null;
        }
        return WireHead.forHit(alloc, entry.wireHead(), entry.ageSeconds(nowMs), cacheStatus);
    }

    private static boolean conditional(HttpHeaders request) {
        return request.contains(HttpHeaderNames.IF_NONE_MATCH) || request.contains(HttpHeaderNames.IF_MODIFIED_SINCE);
    }

    /** RFC 9110 13.1.2/13.1.3: If-None-Match (weak comparison) wins over If-Modified-Since. */
    static boolean notModified(CachedResponse entry, HttpHeaders request) {
        List<String> inm = request.getAll(HttpHeaderNames.IF_NONE_MATCH);
        if (!inm.isEmpty()) {
            if (entry.etag() == null) {
                return false;
            }
            String mine = weak(entry.etag());
            for (String field : inm) {
                for (String tag : field.split(",")) {
                    String t = tag.trim();
                    if (t.equals("*") || weak(t).equals(mine)) {
                        return true;
                    }
                }
            }
            return false;
        }
        String ims = request.get(HttpHeaderNames.IF_MODIFIED_SINCE);
        if (ims == null || entry.lastModifiedMs() < 0) {
            return false;
        }
        java.util.Date since = io.netty.handler.codec.DateFormatter.parseHttpDate(ims);
        return since != null && entry.lastModifiedMs() <= since.getTime();
    }

    private static String weak(String etag) {
        return etag.startsWith("W/") ? etag.substring(2) : etag;
    }
}
