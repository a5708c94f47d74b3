package io.edgeway.dataplane.relay;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.timeout.IdleState;

/**
 * Every timeout the proxy enforces, and the one table of what each becomes. {@code status == null} means
 * a plain close: either nobody is waiting for an answer (an idle keep-alive connection) or part of a
 * response is already out and a close is the only thing left to tell the client. The codec and the idle
 * handler fire these as user events; {@link FrontendHandler#timedOut} applies them.
 */
public enum Timeout {
    /** The request head did not arrive in full within the header timeout (slowloris). */
    CLIENT_HEADER(HttpResponseStatus.REQUEST_TIMEOUT, true, "the request head was not received in time"),
    /** The request body stalled. */
    CLIENT_BODY(HttpResponseStatus.REQUEST_TIMEOUT, true, "the request was not received in time"),
    /** A kept-alive connection sent nothing. */
    CLIENT_IDLE(null, true, "idle"),
    /** The client stopped reading the response. */
    CLIENT_WRITE(null, true, "the client stopped reading"),
    /** The target accepted the request but did not start answering. */
    FIRST_BYTE(HttpResponseStatus.GATEWAY_TIMEOUT, false, "the target did not answer in time"),
    /** The target went quiet in the middle of a response. */
    UPSTREAM_IDLE(null, true, "the target stalled");

    final HttpResponseStatus status;
    /** Whether the client connection is closed after the answer: its request stream is in an unknown state. */
    final boolean closes;
    final String detail;

    Timeout(HttpResponseStatus status, boolean closes, String detail) {
        this.status = status;
        this.closes = closes;
        this.detail = detail;
    }

    /**
     * Which timeout a client-side timer event is, in the connection's current state, or {@code null} when
     * it does not apply (waiting on the target, for one, is the {@link UpstreamTimers}' business).
     *
     * @param idle the idle handler's event, or {@code null} for the codec's header timer
     */
    static Timeout of(IdleState idle, Phase phase, boolean requestDone, boolean writable, boolean partialHead) {
        if (idle == null) {
            // A partial head behind a request in flight waits for that exchange; the idle timers bound it.
            return phase == Phase.IDLE ? CLIENT_HEADER : null;
        }
        return switch (idle) {
            // Silence in the middle of a head is a header timeout, whichever timer notices first.
            case ALL_IDLE -> phase != Phase.IDLE ? null : partialHead ? CLIENT_HEADER : CLIENT_IDLE;
            case READER_IDLE -> phase == Phase.DISCARDING || (phase.onTarget() && !requestDone)
                    ? CLIENT_BODY : null;
            case WRITER_IDLE -> writable ? null : CLIENT_WRITE;
        };
    }
}
