package io.edgeway.dataplane.relay;

import io.edgeway.dataplane.balancing.Endpoint;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Whether a request may be sent a second time, and where: the {@link Exchange}'s two ways back to CONNECTING.
 * <ul>
 *   <li>A fail-over to another target (the {@link TargetLease} holds it and its retry budget): any request when
 *       nothing was sent (the connect failed); otherwise an idempotent one whose body, if any, never went out.</li>
 *   <li>A replay on a fresh connection to the same target, when a pooled connection closes as it is reused.</li>
 * </ul>
 * One per client connection, reset for each request, like the Exchange.
 */
final class Retries {
    private final TargetLease lease;
    /** Request body bytes went to a target: the request can no longer be sent again. */
    private boolean bodySent;
    /** The request went out on a pooled connection, which the target may have closed at that very moment. */
    private boolean onPooledConnection;
    private boolean replayed;

    Retries(TargetLease lease) {
        this.lease = lease;
    }

    void begin() {
        bodySent = false;
        onPooledConnection = false;
        replayed = false;
    }

    void sending(boolean pooled) {
        onPooledConnection = pooled;
    }

    void bodyBytes(boolean readable) {
        bodySent |= readable;
    }

    /**
     * Claims the one replay, if allowed: the pooled connection closed before any answer and the request had no
     * body. This is the connection's failure, not the target's: no health hook, no retry budget. A bodiless
     * POST is not resent (the target may have acted on it before closing) unless it carries an idempotency
     * key, as Go's http.Transport decides.
     */
    boolean claimReplay(HttpRequest request, boolean requestDone) {
        if (!onPooledConnection || !requestDone || bodySent || replayed || !replayable(request)) {
            return false;
        }
        replayed = true;
        onPooledConnection = false;
        return true;
    }

    /**
     * Another target for this request, reserved in the lease with a retry from the budget; or null when the
     * request may not fail over (see the class comment), already did, or the budget or the targets say no.
     */
    Endpoint failOverTarget(HttpRequest request, String clientIp, boolean nothingSent) {
        if (!lease.mayFailOver() || !(nothingSent || (!bodySent && idempotent(request.method())))) {
            return null;
        }
        return lease.reserveRetry(request.headers(), clientIp);
    }

    private static boolean replayable(HttpRequest request) {
        return idempotent(request.method()) || request.headers().contains("Idempotency-Key")
                || request.headers().contains("X-Idempotency-Key");
    }

    static boolean idempotent(HttpMethod m) {
        return m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS || m == HttpMethod.PUT
                || m == HttpMethod.DELETE || m == HttpMethod.TRACE;
    }
}
