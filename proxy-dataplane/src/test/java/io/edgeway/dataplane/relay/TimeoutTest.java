package io.edgeway.dataplane.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.timeout.IdleState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The table of which client timer event becomes which timeout, and what each answers. What the target-side
 * timeouts answer is proven end to end in DataPlaneIntegrationTest (504 on a connection that stays open; a cut
 * mid-response).
 */
class TimeoutTest {
    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {
        // idle event, phase, requestDone, writable, partialHead -> timeout, status
        "-,           IDLE,       false, true,  true,  CLIENT_HEADER, 408",
        "-,           AWAITING_RESPONSE, true,  true,  true,  -,             -",
        "-,           ROUTING,    false, true,  true,  -,             -",
        "ALL_IDLE,    IDLE,       false, true,  false, CLIENT_IDLE,   -",
        "ALL_IDLE,    IDLE,       false, true,  true,  CLIENT_HEADER, 408",
        "ALL_IDLE,    RELAYING,   true,  true,  false, -,             -",
        "READER_IDLE, AWAITING_RESPONSE, false, true,  false, CLIENT_BODY,   408",
        "READER_IDLE, RELAYING,   false, true,  false, CLIENT_BODY,   408",
        "READER_IDLE, CONNECTING, false, true,  false, -,             -",
        "READER_IDLE, RELAYING,   true,  true,  false, -,             -",
        "READER_IDLE, DISCARDING, false, true,  false, CLIENT_BODY,   408",
        "READER_IDLE, IDLE,       false, true,  false, -,             -",
        "WRITER_IDLE, RELAYING,   true,  false, false, CLIENT_WRITE,  -",
        "WRITER_IDLE, RELAYING,   true,  true,  false, -,             -",
    })
    void clientTimerEvents(IdleState idle, Phase state, boolean requestDone, boolean writable, boolean partial,
            Timeout expected, Integer status) {
        Timeout t = Timeout.of(idle, state, requestDone, writable, partial);
        assertThat(t).isEqualTo(expected);
        if (t != null) {
            assertThat(t.status == null ? null : t.status.code()).isEqualTo(status);
        }
    }
}
