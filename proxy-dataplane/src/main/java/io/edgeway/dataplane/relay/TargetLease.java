package io.edgeway.dataplane.relay;

import io.edgeway.dataplane.balancing.RetryBudget;
import io.edgeway.dataplane.balancing.Endpoint;
import io.edgeway.dataplane.balancing.TargetGroup;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * The target one request holds, and its one fail-over. The pick counts as in flight (least-request) and
 * the upstream's {@link RetryBudget} as begun until {@link #release}, the one place both are given back.
 * One per client connection, reused for each request like {@link Exchange}, so balancing allocates nothing.
 */
final class TargetLease {
    private TargetGroup upstream;
    private Endpoint target;
    private RetryBudget budget;
    /** This request holds one of {@link #budget}'s retries. */
    private boolean retryHeld;
    private boolean failedOver;
    /** Reserved for the retry while a 503 from {@link #target} is read and dropped. */
    private Endpoint parked;

    void begin(TargetGroup upstream, Endpoint target) {
        this.upstream = upstream;
        this.target = target;
        failedOver = false;
        budget = upstream.retryBudget();
        budget.begin();
    }

    /** The target the request is (being) sent to; null before {@link #begin} and after {@link #release}. */
    Endpoint target() {
        return target;
    }

    /** Passive health: the held target failed this request (connect, reset, 5xx, first-byte timeout). */
    void targetFailed() {
        if (target != null) {
            target.onFailure();
        }
    }

    void targetSucceeded() {
        target.onSuccess();
    }

    /** The request has not failed over yet: one retry per request, never more. */
    boolean mayFailOver() {
        return !failedOver && budget != null;
    }

    /**
     * Another target, counted as picked, with a retry taken from the budget; or null, and then nothing is
     * held. The budget keeps a dead target's share of requests from failing while passive health is still
     * counting, without ever multiplying the load on targets that all fail.
     */
    Endpoint reserveRetry(HttpHeaders headers, String clientIp) {
        failedOver = true;
        Endpoint next = null;
        // Other loops move a round-robin cursor too, so the next pick may be the same target: a few tries.
        for (int i = 0; i < 3 && next == null; i++) {
            next = upstream.pick(headers, clientIp);
            if (next == target) {
                next.release();
                next = null;
            }
        }
        if (next == null) {
            return null;
        }
        if (!budget.tryRetry()) {
            next.release();
            return null;
        }
        retryHeld = true;
        upstream.retried();
        return next;
    }

    /** Keeps a reserved retry target until the 503 being dropped has ended. */
    void park(Endpoint next) {
        parked = next;
    }

    Endpoint unpark() {
        Endpoint t = parked;
        parked = null;
        return t;
    }

    /** The request moves to {@code next}: the current pick is given back. */
    void switchTo(Endpoint next) {
        releasePick();
        target = next;
    }

    void release() {
        releasePick();
        if (parked != null) {
            parked.release();
            parked = null;
        }
        if (budget != null) {
            budget.end(retryHeld);
            budget = null;
            retryHeld = false;
        }
        upstream = null;
    }

    private void releasePick() {
        if (target != null) {
            target.release();
            target = null;
        }
    }
}
