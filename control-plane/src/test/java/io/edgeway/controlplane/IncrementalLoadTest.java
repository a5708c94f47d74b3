package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.controlplane.model.Route;
import io.edgeway.controlplane.model.Stored;
import io.edgeway.controlplane.store.ConfigState;
import io.edgeway.controlplane.store.Database;
import io.edgeway.controlplane.discovery.SnapshotBuilder;
import io.edgeway.proto.v1.Snapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The snapshot builder reads only the routes written since its last build and reuses the rest: after every
 * kind of write, the state it merges equals a full read, and the snapshot a node receives equals one built
 * from a full read.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IncrementalLoadTest {
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

    @Test
    void everyKindOfWriteMergesToWhatAFullReadSees() {
        http.post("/api/v1/config", "{\"upstreams\":[{\"name\":\"a\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":9001}]},"
                + "{\"name\":\"b\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":9002}]}],\"routes\":["
                + route("r1", "/one", "a") + "," + route("r2", "/two", "a") + "," + route("r3", "/three", "b") + "]}");
        ConfigState state = ConfigState.load(db, null);
        assertThat(state.routes()).hasSize(3);
        http.put("/api/v1/routes/r2", "{\"upstream\":\"a\",\"paths\":[\"/two-b\"]}");
        ConfigState oneChanged = ConfigState.load(db, state);
        // Rows not written since are the very objects of the last read, which is what lets the builder reuse their protos.
        assertThat(oneChanged.routes().get(0)).isSameAs(state.routes().get(0));
        assertThat(oneChanged.routes().get(1)).isNotSameAs(state.routes().get(1));
        assertThat(oneChanged.routes().get(2)).isSameAs(state.routes().get(2));
        assertThat(oneChanged).usingRecursiveComparison().isEqualTo(sortedFullRead());
        state = oneChanged;

        List<Supplier<Http.Response>> writes = List.of(
                () -> http.put("/api/v1/routes/r1", "{\"upstream\":\"b\",\"paths\":[\"/changed\"]}"),
                () -> http.post("/api/v1/routes", route("r0", "/zero", "a")),
                () -> http.delete("/api/v1/routes/r2"),
                () -> http.patch("/api/v1/upstreams/a", "{\"name\":\"renamed\"}"), // its routes' rows are not written
                () -> http.post("/api/v1/routes", route("r4", "/four", "renamed")),
                () -> http.post("/api/v1/config", "{\"upstreams\":[{\"name\":\"c\",\"targets\":[{\"host\":\"127.0.0.1\","
                        + "\"port\":9003}]}],\"routes\":[" + route("r9", "/nine", "c") + "]}"),
                () -> http.post("/api/v1/revisions/" + (testDb.revision() - 1) + "/rollback", ""));
        for (Supplier<Http.Response> write : writes) {
            ConfigState before = state;
            Http.Response r = write.get();
            assertThat(r.status()).as(r.body()).isBetween(200, 299);
            state = ConfigState.load(db, before);
            assertThat(state).usingRecursiveComparison().isEqualTo(sortedFullRead());
        }
        assertThat(ConfigState.load(db, state)).isSameAs(state); // nothing written: nothing read
    }

    @Test
    void aNodeGetsTheSnapshotAFullBuildWouldMake() throws Exception {
        http.post("/api/v1/config", "{\"upstreams\":[{\"name\":\"u\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":9001}]}],"
                + "\"routes\":[" + route("x1", "/x1", "u") + "," + route("x2", "/x2", "u") + "]}");
        try (TestNode node = new TestNode(cp.grpcPort()).hello("incremental", 0)) {
            node.ack(node.next());
            http.put("/api/v1/routes/x2", "{\"upstream\":\"u\",\"paths\":[\"/x2b\"],\"timeouts\":{\"connect\":\"1s\"}}");
            http.patch("/api/v1/upstreams/u", "{\"name\":\"v\"}");
            long revision = testDb.revision();
            await().atMost(Duration.ofSeconds(20)).until(() -> cp.version() == revision);
            Snapshot got = node.next();
            while (got.getVersion() < revision) {
                got = node.next();
            }
            // The builder makes the config part; certificates and ticket keys are opened and added after it.
            assertThat(got.toBuilder().clearNonce().clearSessionTicketKeys().build())
                    .isEqualTo(SnapshotBuilder.snapshot(sortedFullRead()));
        }
    }

    private ConfigState sortedFullRead() {
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
