package io.edgeway.dataplane.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.dataplane.relay.FrontendHandler.State;
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
        // idle event, state, requestDone, writable, partialHead -> timeout, status
        "-,           IDLE,       false, true,  true,  CLIENT_HEADER, 408",
        "-,           PROXYING,   true,  true,  true,  -,             -",
        "ALL_IDLE,    IDLE,       false, true,  false, CLIENT_IDLE,   -",
        "ALL_IDLE,    IDLE,       false, true,  true,  CLIENT_HEADER, 408",
        "ALL_IDLE,    PROXYING,   true,  true,  false, -,             -",
        "READER_IDLE, PROXYING,   false, true,  false, CLIENT_BODY,   408",
        "READER_IDLE, PROXYING,   true,  true,  false, -,             -",
        "READER_IDLE, DISCARDING, false, true,  false, CLIENT_BODY,   408",
        "READER_IDLE, IDLE,       false, true,  false, -,             -",
        "WRITER_IDLE, PROXYING,   true,  false, false, CLIENT_WRITE,  -",
        "WRITER_IDLE, PROXYING,   true,  true,  false, -,             -",
    })
    void clientTimerEvents(IdleState idle, State state, boolean requestDone, boolean writable, boolean partial,
            Timeout expected, Integer status) {
        Timeout t = Timeout.of(idle, state, requestDone, writable, partial);
        assertThat(t).isEqualTo(expected);
        if (t != null) {
            assertThat(t.status == null ? null : t.status.code()).isEqualTo(status);
        }
    }
}
