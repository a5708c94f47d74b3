package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.controlplane.discovery.NodeSelector;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

/**
 * Issue 22: two control-plane replicas on one database race on one rollout. Each replica can promote or roll
 * back (its watcher, or an operator's request through it); the rollouts table is what they share, and exactly
 * one move may win. A rollback that loses must not leave its restoring revision behind: the config would then
 * be the old one under a rollout that says "promoted".
 */
class RolloutRaceTest {
    @Test
    void twoReplicasRacingOnOneRolloutMoveItOnceAndTheConfigAgreesWithTheWinner() throws Exception {
        TestDatabase db = TestDatabase.create(getClass());
        try (ControlPlane a = ControlPlane.start(db.settings());
             ControlPlane b = ControlPlane.start(db.settings())) {
            Http viaA = new Http(a.adminPort());
            Http viaB = new Http(b.adminPort());
            List<String[]> races = List.of(new String[] {"promote", "abort"}, new String[] {"abort", "promote"},
                    new String[] {"abort", "abort"}, new String[] {"promote", "promote"});
            Set<String> winners = new HashSet<>();
            for (int round = 0; round < 12; round++) {
                String[] moves = races.get(round % races.size());
                String name = "race-" + round;
                Http.Response w = viaA.post("/api/v1/upstreams?rollout=canary&bake=10m", "{\"name\":\"" + name + "\"}");
                assertThat(w.status()).as(w.body()).isEqualTo(201);
                long revision = w.revisionNumber();
                long id = viaB.get("/api/v1/rollouts").json().get("data").get(0).get("id").asLong();

                CyclicBarrier start = new CyclicBarrier(2);
                CompletableFuture<Http.Response> onA = CompletableFuture.supplyAsync(() -> race(start, viaA, id, moves[0]));
                CompletableFuture<Http.Response> onB = CompletableFuture.supplyAsync(() -> race(start, viaB, id, moves[1]));
                List<Http.Response> answers = List.of(onA.get(), onB.get());
                List<String> won = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    int status = answers.get(i).status();
                    assertThat(status).as(moves[i] + ": " + answers.get(i).body()).isIn(200, 409);
                    if (status == 200) {
                        won.add(moves[i]);
                    }
                }
                assertThat(won).as("round %d: %s on A vs %s on B", round, moves[0], moves[1]).hasSize(1);
                winners.add(moves[0] + "/" + moves[1] + " -> " + won.get(0));

                String state = viaA.get("/api/v1/rollouts/" + id).json().get("state").asText();
                if (won.get(0).equals("promote")) {
                    assertThat(state).isEqualTo("promoted");
                    assertThat(viaA.get("/api/v1/upstreams/" + name).status()).as("promoted content kept").isEqualTo(200);
                    assertThat(db.revision()).as("no restoring revision after a promotion").isEqualTo(revision);
                } else {
                    assertThat(state).isEqualTo("aborted");
                    assertThat(viaA.get("/api/v1/upstreams/" + name).status()).isEqualTo(404);
                    assertThat(db.revision()).as("exactly one restoring revision").isEqualTo(revision + 1);
                    assertThat(viaA.get("/api/v1/rollouts/" + id).json().get("restored_revision").asLong())
                            .isEqualTo(revision + 1);
                }
            }
            assertThat(winners).isNotEmpty();
        }
    }

    /**
     * Both replicas' watchers decide when the bake ends, but only A has the canary node (a replica's ledger holds
     * the nodes connected to it). B must not roll back for "no canary applied" before A, which saw it apply,
     * promotes.
     */
    @Test
    void aReplicaWithoutTheCanaryNodesLeavesThePromotionToTheOneThatSawThemApply() throws Exception {
        TestDatabase db = TestDatabase.create(getClass());
        // B checks often, A seldom: B reaches the end of the bake first, so only the grace keeps it from deciding.
        Map<String, String> slowTick = new java.util.HashMap<>(System.getenv());
        slowTick.put("EDGEWAY_ROLLOUT_TICK", "2s");
        Map<String, String> fastTick = new java.util.HashMap<>(System.getenv());
        fastTick.put("EDGEWAY_ROLLOUT_TICK", "50ms");
        try (ControlPlane a = ControlPlane.start(db.settings(), slowTick);
             ControlPlane b = ControlPlane.start(db.settings(), fastTick);
             TestNode canary = new TestNode(a.grpcPort()).hello("race-canary", 0, Map.of("canary", "true"))) {
            canary.ack(canary.next());
            Http viaB = new Http(b.adminPort());
            long revision = viaB.post("/api/v1/upstreams?rollout=canary&bake=1s", "{\"name\":\"seen-on-a\"}").revisionNumber();
            canary.ack(canary.atLeast(revision));
            long id = viaB.get("/api/v1/rollouts").json().get("data").get(0).get("id").asLong();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> !viaB.get("/api/v1/rollouts/" + id).json().get("state").asText().equals("canary"));
            com.fasterxml.jackson.databind.JsonNode r = viaB.get("/api/v1/rollouts/" + id).json();
            assertThat(r.get("state").asText()).as(r.get("reason").asText()).isEqualTo("promoted");
            assertThat(db.revision()).isEqualTo(revision);
        }
    }

    private static Http.Response race(CyclicBarrier start, Http via, long id, String move) {
        try {
            start.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return via.post("/api/v1/rollouts/" + id + "/" + move, "");
    }
}
