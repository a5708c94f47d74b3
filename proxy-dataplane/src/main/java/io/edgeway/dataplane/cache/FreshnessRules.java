package io.edgeway.dataplane.cache;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

/**
 * RFC 9111's choice for a request once the store has said what it holds: answer fresh, serve stale while
 * revalidating (RFC 5861), revalidate, or forward. Pure functions of the request, the entry and the clock,
 * apart from the store, so the rules read in one place and the store only finds entries.
 */
final class FreshnessRules {
    private FreshnessRules() {
    }

    /** A request the cache must not answer nor key: a body is not part of the key (see {@link ResponseCache#lookup}). */
    static boolean hasBody(HttpRequest req) {
        return req.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)
                || req.headers().getInt(HttpHeaderNames.CONTENT_LENGTH, 0) != 0;
    }

    /** The request asks for a copy validated by the target (RFC 9111 5.2.1.4; Pragma only without Cache-Control). */
    static boolean requestsNoCache(HttpRequest req, CacheControl cc) {
        return cc.has("no-cache") || cc.seconds("max-age") == 0
                || (!req.headers().contains(HttpHeaderNames.CACHE_CONTROL)
                        && req.headers().containsValue(HttpHeaderNames.PRAGMA, "no-cache", true));
    }

    /**
     * The outcome for {@code entry} (non-null), found under {@code variant}, for a GET or HEAD that did not
     * ask for no-cache.
     */
    static Lookup decide(HttpRequest req, CacheControl cc, String primary, String variant, CachedResponse entry,
            boolean get, long sie, long nowMs) {
        if (req.headers().contains(HttpHeaderNames.AUTHORIZATION) && !entry.directives().sharedWithAuthorization()) {
            return new Lookup(Lookup.Outcome.FORWARD, primary, variant, null, "request", get, false, 0);
        }
        long age = entry.ageMs(nowMs);
        long maxAge = cc.seconds("max-age");
        boolean fresh = !entry.directives().noCache() && age < entry.freshnessMs()
                && (maxAge < 0 || age <= maxAge * 1000);
        if (fresh) {
            return new Lookup(Lookup.Outcome.HIT, primary, variant, entry, null, get, false, sie);
        }
        if (maxAge < 0 && mayServeWhileRevalidating(entry, nowMs)) {
            return new Lookup(Lookup.Outcome.STALE_WHILE_REVALIDATE, primary, variant, entry, "stale", get, false, sie);
        }
        if (entry.hasValidators()) {
            return new Lookup(Lookup.Outcome.REVALIDATE, primary, variant, entry, "stale", get, false, sie);
        }
        return new Lookup(Lookup.Outcome.FORWARD, primary, variant, entry, "stale", get, get, sie);
    }

    /**
     * RFC 5861 3: within stale-while-revalidate seconds past its freshness a stale entry may answer while it is
     * revalidated in the background; never an entry that said no-cache or must-revalidate (RFC 9111 5.2.2.2),
     * nor for a request that states its own max-age (the caller checks: it asked for something fresher).
     */
    private static boolean mayServeWhileRevalidating(CachedResponse entry, long nowMs) {
        CachedResponse.Directives d = entry.directives();
        return d.staleWhileRevalidateS() > 0 && !d.noCache() && !d.mustRevalidate()
                && entry.stalenessMs(nowMs) <= d.staleWhileRevalidateS() * 1000;
    }
}
