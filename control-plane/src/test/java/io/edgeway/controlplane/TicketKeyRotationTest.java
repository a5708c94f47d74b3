package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeway.proto.v1.SessionTicketKey;
import io.edgeway.proto.v1.Snapshot;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Session ticket keys: the very first snapshot carries one, before any certificate exists (so the first
 * certificate is resumable fleet-wide at once); then the control plane rotates them (here every second): each rotation is a new snapshot whose first key is new and whose next keys are the
 * previous ones, at most three, all 16+16+16 bytes.
 */
class TicketKeyRotationTest extends RunningControlPlane {
    @Override
    protected Map<String, String> env() {
        Map<String, String> env = new HashMap<>(TestCerts.env());
        env.put("EDGEWAY_TLS_TICKET_KEY_ROTATION", "1s");
        return env;
    }

    @Test
    void keysComeWithTheFirstSnapshotAndRotateNewestFirstKeepingThree() throws Exception {
        try (TestNode node = new TestNode(cp.grpcPort()).hello("node-tickets", 0)) {
            Snapshot first = node.next();
            assertThat(first.getSessionTicketKeysCount()).as("keys before any certificate").isPositive();
            node.ack(first);
            TestCerts.Pair pair = new TestCerts().ec("t", "t.example.com");
            ObjectNode body = Http.JSON.createObjectNode().put("name", "t").put("cert", pair.cert()).put("key", pair.key());
            assertThat(http.post("/api/v1/certificates", body.toString()).status()).isEqualTo(201);

            List<SessionTicketKey> previous = first.getSessionTicketKeysList();
            int rotations = 0;
            while (rotations < 4) {
                Snapshot s = node.next();
                node.ack(s);
                List<SessionTicketKey> keys = s.getSessionTicketKeysList();
                if (keys.equals(previous)) {
                    continue;
                }
                keys.forEach(k -> assertThat(List.of(k.getName().size(), k.getHmacKey().size(), k.getAesKey().size()))
                        .containsOnly(16));
                assertThat(previous).doesNotContain(keys.get(0));
                assertThat(keys.subList(1, keys.size())).isEqualTo(previous.subList(0, Math.min(previous.size(), 2)));
                assertThat(keys.size()).isLessThanOrEqualTo(3);
                previous = keys;
                rotations++;
            }
            assertThat(previous).hasSize(3);
        }
    }
}
