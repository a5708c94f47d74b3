package io.edgeway.dataplane.relay;

import io.edgeway.dataplane.cache.CachedAnswer;
import io.edgeway.dataplane.cache.CachedResponse;
import io.edgeway.dataplane.cache.Lookup;
import io.edgeway.dataplane.cache.ResponseCache;
import io.edgeway.dataplane.cache.ResponseRecording;
import io.edgeway.dataplane.cache.RouteCache;
import io.edgeway.dataplane.routing.RouteRule;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The cache's part in one {@link Exchange} of a route with a cache: looks the request up, answers hits,
 * waits behind another request's miss (collapsed misses: the exchange sits in CONNECTING meanwhile, so the
 * client's further bytes queue as they do while connecting), makes stale copies conditional, records the
 * target's answer while it streams to the client, and serves the stale copy on a target failure when
 * stale-if-error allows. One per client connection, reset for each request, like the exchange.
 */
final class CacheStep {
    private final Exchange exchange;
    private final ChannelHandlerContext ctx;
    private RouteRule route;
    private RouteCache policy;
    private CharSequence scheme;
    private String host;
    /** Null when the current request's route does not cache. */
    private Lookup lookup;
    private boolean leader;
    private boolean waiting;
    private ScheduledFuture<?> waitTimer;
    /** The client's own conditional fields, kept aside while the proxy asks the target with the entry's validators. */
    private HttpHeaders clientConditionals;
    private ResponseRecording recording;
    private String cacheStatus;
    /** The answer that replaces the target's (a refreshed or stale copy), written when the target's body ends. */
    FullHttpResponse replacement;

    CacheStep(Exchange exchange, ChannelHandlerContext ctx) {
        this.exchange = exchange;
        this.ctx = ctx;
    }

    private ResponseCache cache() {
        return exchange.loop().cache();
    }

    /** The route caches this request's answers or answers from its cache (the relay then takes heads as objects). */
    boolean active() {
        return lookup != null;
    }

    /** ROUTING: true when the request was answered from the cache or now waits for another one's miss. */
    boolean begin(RouteRule route, HttpRequest req, CharSequence scheme, String host) {
        this.route = route;
        this.policy = route.cache();
        this.scheme = scheme;
        this.host = host;
        long now = System.currentTimeMillis();
        lookup = cache().lookup(policy, scheme, host, req, now);
        switch (lookup.outcome()) {
            case HIT -> {
                CachedReplies.answer(exchange, ctx, clientConditionals, lookup.entry(), "edgeway; hit", now);
                return true;
            }
            case STALE_WHILE_REVALIDATE -> {
                answerStale(req, now);
                return true;
            }
            case REVALIDATE -> {
                clientConditionals = CachedReplies.conditional(req, lookup.entry());
                return false;
            }
            case DISK -> {
                return waitForDisk();
            }
            default -> {
                if (!lookup.collapsible()) {
                    return false;
                }
                if (cache().flights().lead(lookup.primaryKey())) {
                    leader = true;
                    return false;
                }
                return waitForLeader();
            }
        }
    }

    private boolean waitForLeader() {
        long id = exchange.id;
        EventExecutor loop = ctx.executor();
        waiting = true;
        exchange.phase = Phase.CONNECTING; // ROUTING → CONNECTING: queued like a request whose target is being dialled
        if (!cache().flights().await(lookup.primaryKey(), () -> loop.execute(() -> resume(id)))) {
            waiting = false; // the leader landed in between
            exchange.phase = Phase.ROUTING;
            return false;
        }
        waitTimer = loop.schedule(() -> resume(id), policy.lockTimeoutMs(), TimeUnit.MILLISECONDS);
        return true;
    }

    /**
     * The response is on disk only: it is read and promoted on the disk reader thread, and this request waits
     * (queued like a collapsed miss) without holding up the event loop's other connections.
     */
    private boolean waitForDisk() {
        long id = exchange.id;
        EventExecutor loop = ctx.executor();
        waiting = true;
        exchange.phase = Phase.CONNECTING;
        cache().loadFromDisk(lookup.variantKey(), read -> loop.execute(() -> resume(id, read)));
        return true;
    }

    /** The leader landed, or the wait timed out: a hit now, or this request goes to the target itself. */
    private void resume(long id) {
        resume(id, null);
    }

    /**
     * After a wait: a hit now, or this request goes to the target itself. {@code read}: the disk read this
     * request waited for, whose entry answers it even if memory evicted it again meanwhile (null after a leader).
     */
    private void resume(long id, ResponseCache.DiskRead read) {
        if (id != exchange.id || !waiting) {
            return;
        }
        waiting = false;
        if (waitTimer != null) {
            waitTimer.cancel(false);
            waitTimer = null;
        }
        exchange.phase = Phase.ROUTING;
        long now = System.currentTimeMillis();
        HttpRequest req = exchange.request;
        Lookup again = cache().lookup(policy, scheme, host, req, now, read);
        if (again.outcome() == Lookup.Outcome.DISK) { // evicted to disk while this request waited for its leader
            lookup = again;
            waitForDisk();
            return;
        }
        if (again.outcome() == Lookup.Outcome.HIT) {
            lookup = again;
            // after a disk read it is a plain hit, as it was when the disk was read on the loop
            CachedReplies.answer(exchange, ctx, clientConditionals, again.entry(),
                    read != null ? "edgeway; hit" : "edgeway; hit; detail=collapsed", now);
        } else if (again.outcome() == Lookup.Outcome.STALE_WHILE_REVALIDATE) {
            lookup = again;
            answerStale(req, now);
        } else {
            lookup = again;
            if (again.outcome() == Lookup.Outcome.REVALIDATE) {
                clientConditionals = CachedReplies.conditional(req, again.entry());
            }
            exchange.frontend.forward(route, req);
        }
        exchange.frontend.drainPending();
    }

    /**
     * stale-while-revalidate: the stale copy answers now; one background request per key refreshes it. The
     * background request is started first: it copies the request's fields before the answer ends the exchange.
     */
    private void answerStale(HttpRequest req, long now) {
        StaleRevalidation.start(exchange.loop(), route, lookup, req, host, exchange.frontend.clientIp(),
                exchange.frontend.trustedPeer(), scheme);
        CachedReplies.answer(exchange, ctx, clientConditionals, lookup.entry(),
                "edgeway; fwd=stale; detail=stale-while-revalidate", now);
    }

    /**
     * The target's final head, as it arrived: returns the answer that replaces it (a 304 refreshed the stored
     * copy; a 5xx hidden by stale-if-error), or null to relay it, recording it when it may be stored.
     */
    FullHttpResponse targetHead(HttpResponse res) {
        if (lookup == null) {
            return null;
        }
        long now = System.currentTimeMillis();
        int code = res.status().code();
        CachedResponse entry = lookup.entry();
        if (clientConditionals != null && code == 304 && entry != null) {
            CachedResponse refreshed = cache().refreshed(lookup, entry, res.headers(), now, policy);
            land();
            return CachedReplies.replacement(exchange, clientConditionals, refreshed, "edgeway; fwd=stale; fwd-status=304",
                    now);
        }
        if (code >= 500 && lookup.staleIfError(now)) {
            land();
            return CachedReplies.replacement(exchange, clientConditionals, entry,
                    "edgeway; fwd=stale; fwd-status=" + code + "; detail=stale-if-error", now);
        }
        StringBuilder status = new StringBuilder("edgeway; fwd=").append(lookup.forward());
        if (code != 200) {
            status.append("; fwd-status=").append(code);
        }
        if (lookup.mayStore()) {
            recording = ResponseRecording.start(policy, exchange.request, res, lookup, now);
            status.append(recording.storable() ? "; stored" : "; detail=" + recording.refusal());
            if (!recording.storable()) {
                recording = null;
            }
        }
        cacheStatus = status.toString();
        if (recording == null) {
            land(); // nothing will be stored: waiters go to the target now
        }
        return null;
    }

    /** The head going to the client (already rewritten for it): the stored copy's fields, and Cache-Status. */
    void relayedHead(HttpResponse res) {
        if (lookup == null) {
            return;
        }
        if (recording != null) {
            recording.head(res.headers());
        }
        res.headers().set(CachedAnswer.CACHE_STATUS, cacheStatus);
    }

    /** A piece of the body on its way to the client; copied while the response stays within the object bound. */
    void body(ByteBuf content) {
        if (recording != null && !recording.append(content)) {
            recording = null; // too large: it streams through, unstored
            land();
        }
    }

    /** The target's response ended well: stored when it was recorded in full. */
    void complete() {
        if (recording != null) {
            recording.storeInto(cache(), lookup, exchange.request.headers(), System.currentTimeMillis());
            recording = null;
        }
        land();
    }

    /** A proxy-made error (502, 503, 504) for a request whose stale copy stale-if-error still allows; else null. */
    FullHttpResponse staleInsteadOf(int code) {
        if (lookup == null || (code != 502 && code != 503 && code != 504)) {
            return null;
        }
        long now = System.currentTimeMillis();
        if (!lookup.staleIfError(now)) {
            return null;
        }
        land();
        return CachedReplies.replacement(exchange, clientConditionals, lookup.entry(),
                "edgeway; fwd=stale; detail=stale-if-error", now);
    }

    /** The Cache-Status of an answer the proxy made itself for this request, or null when the route does not cache. */
    String localStatus() {
        return lookup == null ? null : "edgeway; fwd=" + lookup.forward() + "; detail=no-response";
    }

    private void land() {
        if (leader) {
            leader = false;
            cache().flights().land(lookup.primaryKey());
        }
    }

    /** The request is over, however it ended. */
    void end() {
        land();
        if (waitTimer != null) {
            waitTimer.cancel(false);
            waitTimer = null;
        }
        waiting = false;
        recording = null;
        replacement = null;
        clientConditionals = null;
        lookup = null;
        route = null;
    }
}
