package io.edgeway.dataplane.relay;

/**
 * Where the request on one client connection is in its life: the states of the {@link Exchange}'s machine.
 * Routing and picking a target (config hops 3 and 4 of ARCHITECTURE.md) happen inside one call, in ROUTING;
 * every other state waits for an event (a connect, a target's bytes, the client's bytes).
 *
 * <pre>
 *  IDLE ──head──▶ ROUTING ──target picked──▶ CONNECTING ──connected──▶ AWAITING_RESPONSE
 *                    │      (pooled connection: straight to AWAITING_RESPONSE)   │
 *                    │                                                        │ 1xx ──▶ INFORMATIONAL ──its end──▶ AWAITING_RESPONSE
 *                    │                                                        │ 101 (WebSocket) ──▶ SWITCHING ──its end──▶ CLOSED (a Tunnel)
 *                    │                                                        │ 503, retry granted ──▶ DROPPING_503 ──its end──▶ CONNECTING | AWAITING_RESPONSE
 *                    │                                                        │ reset before any answer, retry granted ──▶ CONNECTING | AWAITING_RESPONSE
 *                    │                                                        │ final head ──▶ RELAYING ──its end──▶ IDLE (keep-alive) | CLOSED
 *                    └── refused / no route / no target, and every local answer (502, 504 ...) from any state:
 *                        ──▶ DISCARDING (body still coming) ──its end──▶ IDLE,  or IDLE,  or CLOSED (the client goes)
 *  any state ──abort, client gone──▶ CLOSED
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
