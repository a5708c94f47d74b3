package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.controlplane.discovery.SnapshotBuilder;
import io.edgeway.controlplane.model.Route;
import io.edgeway.controlplane.model.Stored;
import io.edgeway.controlplane.store.ConfigState;
import io.edgeway.controlplane.store.Database;
import io.edgeway.proto.delta.SnapshotDeltas;
import io.edgeway.proto.v1.Snapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 22: the whole incremental path (rows read since the last build, unchanged routes' protos reused, the delta
 * found by walking the reused routes, its result hash taken from the shared encoding, the full gzip deferred) gives
 * a node that follows the deltas, and reconnects now and then, exactly the config a full rebuild from a full read
 * gives, after every write of a random sequence.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RandomWritesByDeltasTest {
    private TestDatabase testDb;
    private ControlPlane cp;
    private Http http;
    private Database db;

    @BeforeAll
    void start() throws Exception {
        testDb = TestDatabase.create(getClass());
        cp = ControlPlane.start(testDb.settings());
        http = new Http(cp.adminPort());
        db = new Database(testDb.url(), "postgres", null);
    }

    @AfterAll
    void stop() {
        db.close();
        cp.close();
    }

    @ParameterizedTest
    @ValueSource(longs = {7, 20261207})
    void aNodeOnDeltasHoldsWhatAFullRebuildMakesAfterEveryWrite(long seed) throws Exception {
        Random random = new Random(seed);
        String u = "up" + seed;
        StringBuilder routes = new StringBuilder();
        TreeSet<String> names = new TreeSet<>();
        for (int i = 0; i < 30; i++) {
            names.add("s" + seed + "-r" + i);
            routes.append(i == 0 ? "" : ",").append(route("s" + seed + "-r" + i, "/p" + i, u));
        }
        write(http.post("/api/v1/config", "{\"upstreams\":[{\"name\":\"" + u + "\",\"targets\":[{\"host\":\"127.0.0.1\","
                + "\"port\":9001}]}],\"routes\":[" + routes + "]}"));
        int deltas = 0;
        Snapshot held = null;
        TestNode node = new TestNode(cp.grpcPort()).helloTakingDeltas("random-" + seed, 0);
        try {
            held = follow(node, held, testDb.revision());
            for (int step = 0; step < 40; step++) {
                String name = new ArrayList<>(names).get(random.nextInt(names.size()));
                int kind = random.nextInt(10);
                if (kind < 6) { // the common write: one route changed where it stands
                    write(http.put("/api/v1/routes/" + name, "{\"upstream\":\"" + u + "\",\"paths\":[\"/s" + step + "\"]}"));
                } else if (kind == 6) {
                    String added = "s" + seed + "-n" + step;
                    names.add(added);
                    write(http.post("/api/v1/routes", route(added, "/n" + step, u)));
                } else if (kind == 7 && names.size() > 5) {
                    names.remove(name);
                    write(http.delete("/api/v1/routes/" + name));
                } else if (kind == 8) { // its routes' rows are not written, yet every one of them changes
                    String renamed = "up" + seed + "-" + step;
                    write(http.patch("/api/v1/upstreams/" + u, "{\"name\":\"" + renamed + "\"}"));
                    u = renamed;
                } else { // a proxy restart: back with the version its disk cache holds, or with none (a new disk)
                    node.close();
                    boolean cached = random.nextBoolean();
                    node = new TestNode(cp.grpcPort()).helloTakingDeltas("random-" + seed, cached ? held.getVersion() : 0);
                    if (!cached) {
                        held = follow(node, null, testDb.revision()); // a full snapshot, never a delta on nothing
                    }
                    continue;
                }
                long revision = testDb.revision();
                Snapshot before = held;
                held = follow(node, held, revision);
                deltas += held != before && lastWasDelta ? 1 : 0;
                Snapshot expected = SnapshotBuilder.snapshot(sortedFullRead());
                assertThat(held.toBuilder().clearNonce().clearSessionTicketKeys().build())
                        .as("seed %d, step %d", seed, step).isEqualTo(expected);
            }
        } finally {
            node.close();
        }
        assertThat(deltas).as("writes that reached the node as deltas").isPositive();
    }

    private boolean lastWasDelta;

    /** Reads and acks snapshots, applying deltas onto what it holds, until it holds {@code version} or later. */
    private Snapshot follow(TestNode node, Snapshot held, long version) {
        while (held == null || held.getVersion() < version) {
            Snapshot s = node.next();
            lastWasDelta = s.hasDelta();
            held = s.hasDelta() ? SnapshotDeltas.apply(held, s) : s; // apply checks the result's SHA-256
            node.ack(s);
        }
        return held;
    }

    private static void write(Http.Response r) {
        assertThat(r.status()).as(r.body()).isBetween(200, 299);
    }

    private ConfigState sortedFullRead() {
        await().atMost(Duration.ofSeconds(20)).until(() -> cp.version() == testDb.revision());
        ConfigState full = ConfigState.load(db);
        List<Stored<Route>> routes = new ArrayList<>(full.routes());
        routes.sort(Comparator.comparing(r -> r.value().name()));
        return new ConfigState(full.revision(), full.upstreams(), routes, full.certificates(), full.sealedTicketKeys(),
                full.acmeHttpChallenges(), full.acmeTlsAlpnChallenges());
    }

    private static String route(String name, String path, String upstream) {
        return "{\"name\":\"" + name + "\",\"paths\":[\"" + path + "\"],\"upstream\":\"" + upstream + "\"}";
    }
}
