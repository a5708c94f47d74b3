package io.edgeway.dataplane.relay;

/**
 * Where the request on one client connection is in its life: the states of the {@link Exchange}'s machine.
 * Routing and picking a target (config hops 3 and 4 of ARCHITECTURE.md) happen inside one call, in ROUTING;
 * every other state waits for an event (a connect, a target's bytes, the client's bytes).
 *
 * <pre>
 * IDLE              → ROUTING             a request head arrives
 * ROUTING           → CONNECTING          a target is picked and none of its connections is idle in the pool
 * ROUTING           → AWAITING_RESPONSE   a target is picked and a pooled connection takes the request
 * CONNECTING        → AWAITING_RESPONSE   connected
 * AWAITING_RESPONSE → INFORMATIONAL       a 1xx head; back to AWAITING_RESPONSE at its end
 * AWAITING_RESPONSE → SWITCHING           a WebSocket 101; → CLOSED at its end, the connections become a Tunnel
 * AWAITING_RESPONSE → DROPPING_503        a 503, and another target granted; at its end → CONNECTING or
 *                                         AWAITING_RESPONSE on that target
 * CONNECTING, AWAITING_RESPONSE
 *                   → CONNECTING or AWAITING_RESPONSE   the target failed before answering, and {@link Retries}
 *                                         lets the request go again (another target, or a fresh connection)
 * AWAITING_RESPONSE → RELAYING            the final head
 * RELAYING          → IDLE or CLOSED      the response's end; CLOSED when the client does not keep the connection
 * ROUTING .. RELAYING → DISCARDING        the proxy answers itself (refused, no route, 502, 504) while the
 *                                         request body is still coming; → IDLE at its end
 * ROUTING .. RELAYING → IDLE or CLOSED    the proxy answers itself after the request's end
 * any               → CLOSED              abort, the client is gone, or the answer closes the connection
 * </pre>
 *
 * Independent of the phase, and so kept as flags on the {@link Exchange}: whether the client's request has been
 * read in full ({@code requestDone}: a response may start while the body still streams), keep-alive, and
 * whether the request is a WebSocket handshake.
 */
enum Phase {
    /** Between requests: waiting for the next head. */
    IDLE,
    /** The head arrived: validated, routed and given a target within this one call. */
    ROUTING,
    /** The target's connection (or h2c stream) is being opened; the request body waits in the pending queue. */
    CONNECTING,
    /** The request is on the target's connection (its body may still be arriving); no answer yet. */
    AWAITING_RESPONSE,
    /** A 1xx (not a WebSocket 101) is being relayed; the final answer follows it. */
    INFORMATIONAL,
    /** A 503 is read and dropped: at its end the request goes to the target the lease parked. */
    DROPPING_503,
    /** The final response is being relayed to the client. */
    RELAYING,
    /** A WebSocket 101 is being relayed: at its end both connections become a {@link Tunnel}. */
    SWITCHING,
    /** The proxy answered itself; the rest of the request body is read and dropped. */
    DISCARDING,
    /** Nothing more on this connection: closed, closing after an answer, or handed to a {@link Tunnel}. */
    CLOSED;

    /** The request is on (or was last sent to) a target connection, which may answer it. */
    boolean onTarget() {
        return this == AWAITING_RESPONSE || this == INFORMATIONAL || this == DROPPING_503 || this == RELAYING
                || this == SWITCHING;
    }

    /**
     * The client has had the start of a final answer (the target's, a 101, or the proxy's own): a failure
     * from here on can only close the connection, and a first-byte deadline no longer applies.
     */
    boolean responseStarted() {
        return this == RELAYING || this == SWITCHING || this == DISCARDING || this == CLOSED;
    }
}
