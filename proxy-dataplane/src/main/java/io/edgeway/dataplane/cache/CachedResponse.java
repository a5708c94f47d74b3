package io.edgeway.dataplane.cache;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * One stored response. Its {@code headers} are never changed after it is built: a hit over HTTP/1.1 sends them
 * as the pre-encoded {@code wireHead}, an h2 hit or a 304 copies them into its answer. The body is a
 * {@link StoredBody}: a read-only direct buffer that a hit sends a duplicate of, and that outlives the entry's
 * eviction for as long as a write still holds it.
 *
 * <p>Times are the proxy's clock in milliseconds: {@code responseTimeMs} when the response arrived,
 * {@code initialAgeS} its corrected initial age (RFC 9111 4.2.3), {@code freshnessMs} its freshness lifetime.
 */
public record CachedResponse(String key, int status, HttpHeaders headers, ByteBuf body, long responseTimeMs,
        long initialAgeS, long freshnessMs, Directives directives, String etag, long lastModifiedMs,
        List<String> vary, Set<String> tags, byte[] wireHead) implements Stored {

    /**
     * {@code wireHead} is derived: pass null (the 12-component constructor does) and it is encoded here from the
     * status, headers and body length, once per entry instead of once per hit (see {@link WireHead}).
     */
    public CachedResponse {
        if (wireHead == null) {
            wireHead = WireHead.encode(status, headers, body.readableBytes());
        }
    }

    public CachedResponse(String key, int status, HttpHeaders headers, ByteBuf body, long responseTimeMs,
            long initialAgeS, long freshnessMs, Directives directives, String etag, long lastModifiedMs,
            List<String> vary, Set<String> tags) {
        this(key, status, headers, body, responseTimeMs, initialAgeS, freshnessMs, directives, etag, lastModifiedMs,
                vary, tags, null);
    }

    /** What the response's Cache-Control said that matters after it is stored. */
    public record Directives(boolean noCache, boolean mustRevalidate, boolean sharedWithAuthorization,
            long staleWhileRevalidateS, long staleIfErrorS) {}

    /** Age in seconds at {@code nowMs} (RFC 9111 4.2.3: corrected initial age plus resident time). */
    public long ageSeconds(long nowMs) {
        return initialAgeS + Math.max(0, nowMs - responseTimeMs) / 1000;
    }

    long ageMs(long nowMs) {
        return initialAgeS * 1000 + Math.max(0, nowMs - responseTimeMs);
    }

    /** How long past its freshness it is, in ms (negative while fresh). */
    long stalenessMs(long nowMs) {
        return ageMs(nowMs) - freshnessMs;
    }

    /**
     * Whether the entry may still serve at {@code nowMs}: fresh, revalidatable, or within a stale window. One
     * that is none of these is useless and is not worth writing to disk.
     */
    boolean worthKeeping(long nowMs) {
        long stale = stalenessMs(nowMs);
        return stale < 0 || hasValidators()
                || stale <= Math.max(directives.staleWhileRevalidateS(), directives.staleIfErrorS()) * 1000;
    }

    boolean hasValidators() {
        return etag != null || lastModifiedMs >= 0;
    }

    /** Memory the entry holds: body plus header text, plus a fixed overhead for the objects around them. */
    @Override
    public int weight() {
        long w = 256L + body.readableBytes() + key.length() * 2L + wireHead.length;
        for (var h : headers) {
            w += h.getKey().length() + h.getValue().length() + 32;
        }
        return (int) Math.min(Integer.MAX_VALUE, w);
    }

    /** The same response with the fields of a 304 merged in and its age restarted (RFC 9111 3.2, 4.3.4). */
    CachedResponse refreshedBy(HttpHeaders notModified, long nowMs, RouteCache policy) {
        HttpHeaders merged = new DefaultHttpHeaders().set(headers);
        // The refreshed copy's age is the 304's (RFC 9111 4.2.3 on the validating response): the stored Age
        // described the old copy, and kept it would leave the refreshed copy as stale as before.
        merged.remove(HttpHeaderNames.AGE);
        for (var h : notModified) {
            String name = h.getKey();
            if (!HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
                    && !HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)) {
                merged.remove(name);
            }
        }
        for (var h : notModified) {
            String name = h.getKey();
            if (!HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
                    && !HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)) {
                merged.add(name, h.getValue());
            }
        }
        CachedResponse r = Storability.entry(key, status, merged, body, nowMs, policy, vary, tags);
        return r != null ? r : this;
    }

    static long httpDate(HttpHeaders h, CharSequence name) {
        String v = h.get(name);
        if (v == null) {
            return -1;
        }
        Date d = DateFormatter.parseHttpDate(v);
        return d == null ? -2 : d.getTime();
    }
}
