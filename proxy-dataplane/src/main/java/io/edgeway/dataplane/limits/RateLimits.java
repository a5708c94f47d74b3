package io.edgeway.dataplane.limits;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * One proxy's rate limit state: the buckets of every limited route ({@link RateBuckets}, shared by all
 * event loops) and, for fleet-scoped limits, how many proxies share them ({@link #fleetShare}: each keeps
 * 1/N of the rate and of the burst). A route without a limit never gets here.
 */
public final class RateLimits {
    /** {@code EDGEWAY_RATE_LIMIT_KEYS}' default: 262,144 buckets, at most about 9 MiB. */
    public static final int DEFAULT_KEYS = 1 << 18;

    private final RateBuckets buckets;
    private volatile int fleetShare = 1;

    public RateLimits(int keys) {
        this.buckets = new RateBuckets(keys);
    }

    public int capacity() {
        return buckets.capacity();
    }

    /** The number of proxies that split each fleet-scoped limit (from the control plane's FleetShare). */
    public void fleetShare(int proxies) {
        this.fleetShare = Math.max(1, proxies);
    }

    public int fleetShare() {
        return fleetShare;
    }

    /** Slots of the table holding a bucket (edgeway_rate_limit_keys). */
    public long keys() {
        return buckets.keys();
    }

    /** Busy buckets evicted at the table's bound (edgeway_rate_limit_evictions_total). */
    public long evictions() {
        return buckets.evictions();
    }

    /**
     * Counts one request of the key {@code spec} picks ({@code clientIp}, a header's value, or the route) and
     * says in {@code out} whether it may pass. A request without the limit's header shares one bucket with
     * every other such request: leaving the header out is no way around the limit.
     */
    public void admit(RateLimitSpec spec, HttpHeaders headers, String clientIp, RateVerdict out) {
        CharSequence value = switch (spec.by()) {
            case CLIENT_IP -> clientIp;
            case HEADER -> headers.get(spec.header());
            case ROUTE -> null;
        };
        admitKey(spec, value, System.nanoTime(), out);
    }

    /**
     * As {@link #admit}, for an HTTP/2 request (a gRPC call): its header names are lower case, so the limit's
     * header is looked up in lower case (a name that is already lower case costs no allocation).
     */
    public void admit(RateLimitSpec spec, Http2Headers headers, String clientIp, RateVerdict out) {
        CharSequence value = switch (spec.by()) {
            case CLIENT_IP -> clientIp;
            case HEADER -> headers.get(spec.header().toLowerCase());
            case ROUTE -> null;
        };
        admitKey(spec, value, System.nanoTime(), out);
    }

    /** As {@link #admit}, with the key's value given: for tests and non-HTTP callers. */
    public void admitKey(RateLimitSpec spec, CharSequence value, long now, RateVerdict out) {
        int share = spec.fleet() ? fleetShare : 1;
        out.spec = spec;
        buckets.take(RateKey.of(spec.identity(), value), spec.emissionNanos(share), spec.burst(share), now, out);
    }
}
