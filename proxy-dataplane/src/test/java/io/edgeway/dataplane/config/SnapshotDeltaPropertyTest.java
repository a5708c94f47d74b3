package io.edgeway.dataplane.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.proto.delta.SnapshotDeltas;
import io.edgeway.proto.v1.CachePurge;
import io.edgeway.proto.v1.Certificate;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.SiteDeployment;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.StreamRoute;
import io.edgeway.proto.v1.Target;
import io.edgeway.proto.v1.Upstream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Issue 22: any sequence of writes gives the same proxy state by deltas as by full snapshots, with reconnects
 * (a full snapshot) anywhere in the middle. Each step is a random batch of upserts and removals of every keyed
 * kind plus the unkeyed lists; the lists are kept in one order (by name, as the control plane's queries give
 * them), which the delta must reproduce exactly.
 */
class SnapshotDeltaPropertyTest {

    @Property(tries = 150)
    void aChainOfDeltasWithReconnectsEndsAtTheSameSnapshotAndConfigAsTheFullOne(@ForAll long seed) throws Exception {
        Random random = new Random(seed);
        World world = new World();
        Snapshot full = world.snapshot(1);
        Snapshot node = full; // what a proxy that follows the deltas holds
        int deltas = 0;
        for (long v = 2; v <= 12; v++) {
            world.edit(random);
            Snapshot next = world.snapshot(v);
            Snapshot delta = SnapshotDeltas.diff(full, next);
            // one order for every list, as the control plane has: a delta always exists
            assertThat(delta).as("delta %d -> %d", full.getVersion(), v).isNotNull();
            assertThat(delta.getDelta().getBaseVersion()).isEqualTo(full.getVersion());
            if (random.nextInt(5) == 0) {
                node = next; // a reconnect: the node gets the full snapshot
            } else {
                node = SnapshotDeltas.apply(node, delta.toBuilder().setNonce("n" + v).build()).toBuilder().clearNonce()
                        .build();
                deltas++;
            }
            assertThat(node).isEqualTo(next);
            full = next;
        }
        assertThat(deltas).isPositive();
        // and the compiled config agrees too: same routes in the same order, same quarantine
        PartialConfig byDeltas = RuntimeConfig.compile(node, RuntimeConfig.NONE, io.edgeway.dataplane.status.RouteMeters.NONE,
                io.edgeway.dataplane.site.SiteBlobs.NONE);
        PartialConfig byFull = RuntimeConfig.compile(full, RuntimeConfig.NONE, io.edgeway.dataplane.status.RouteMeters.NONE,
                io.edgeway.dataplane.site.SiteBlobs.NONE);
        assertThat(byDeltas.quarantined()).isEqualTo(byFull.quarantined());
        assertThat(byDeltas.config().routes().meterKeys()).isEqualTo(byFull.config().routes().meterKeys());
        for (int h = 0; h < 8; h++) {
            for (int p = 0; p < 4; p++) {
                var a = byDeltas.config().routes().match("h" + h + ".test", "/" + p, "GET");
                var b = byFull.config().routes().match("h" + h + ".test", "/" + p, "GET");
                assertThat(a == null ? null : a.name() + "->" + a.upstream().name())
                        .isEqualTo(b == null ? null : b.name() + "->" + b.upstream().name());
            }
        }
        assertThat(byDeltas.config().upstreams().keySet()).isEqualTo(byFull.config().upstreams().keySet());
    }

    @Property(tries = 100)
    void aDeltaOnTheWrongBaseOrTamperedWithIsRefusedOrExact(@ForAll long seed) {
        Random random = new Random(seed);
        World world = new World();
        Snapshot v1 = world.snapshot(1);
        world.edit(random);
        Snapshot v2 = world.snapshot(2);
        world.edit(random);
        Snapshot v3 = world.snapshot(3);
        Snapshot delta = SnapshotDeltas.diff(v2, v3);
        try {
            SnapshotDeltas.apply(v1, delta);
            throw new AssertionError("a delta on base 2 applied on version 1");
        } catch (IllegalArgumentException expected) {
            assertThat(expected.getMessage()).contains("base_version");
        }
        // a base with the right version but other content (another replica's, say) never yields a guessed config
        Snapshot otherBase = v2.toBuilder().addRoutes(Route.newBuilder().setName("zz-only-here").setUpstream("u0")).build();
        try {
            SnapshotDeltas.apply(otherBase, delta);
            throw new AssertionError("a delta applied on a base that differs from the control plane's");
        } catch (IllegalArgumentException expected) {
            assertThat(expected.getMessage()).contains("result_sha256");
        }
        if (delta.getDelta().getRoutePositionsCount() > 0) { // a position past the end is refused, never guessed
            Snapshot bad = delta.toBuilder().setDelta(delta.getDelta().toBuilder()
                    .setRoutePositions(delta.getDelta().getRoutePositionsCount() - 1, 1_000_000)).build();
            try {
                SnapshotDeltas.apply(v2, bad);
                throw new AssertionError("a route position past the end was accepted");
            } catch (IllegalArgumentException expected) {
                assertThat(expected.getMessage()).contains("position");
            }
        }
    }

    /**
     * The control plane's common write changes routes where they stand and reuses every other route's message; the
     * delta then comes from a walk comparing references (issue 22). It must carry exactly the changed routes at
     * their positions, and rebuild the full snapshot, also when an "edit" leaves a route equal to what it was.
     */
    @Property(tries = 200)
    void routesChangedWhereTheyStandGiveADeltaOfExactlyThoseRoutes(@ForAll long seed) {
        Random random = new Random(seed);
        World world = new World();
        Snapshot base = world.snapshot(1);
        List<Route> routes = new ArrayList<>(base.getRoutesList());
        TreeMap<Integer, Route> changed = new TreeMap<>();
        int edits = random.nextInt(random.nextBoolean() ? 3 : 25);
        for (int e = 0; e < edits; e++) {
            int i = random.nextInt(routes.size());
            Route was = routes.get(i);
            Route now = random.nextInt(4) == 0 ? was.toBuilder().build() // equal, another object: no change
                    : was.toBuilder().clearPaths().addPaths("/edit" + e).build();
            routes.set(i, now);
            if (now.equals(base.getRoutes(i))) {
                changed.remove(i);
            } else {
                changed.put(i, now);
            }
        }
        Snapshot full = base.toBuilder().setVersion(2).clearRoutes().addAllRoutes(routes).build();
        Snapshot delta = SnapshotDeltas.diff(base, full);
        assertThat(delta).isNotNull();
        assertThat(delta.getRoutesList()).containsExactlyElementsOf(changed.values());
        assertThat(delta.getDelta().getRoutePositionsList()).containsExactlyElementsOf(changed.keySet());
        assertThat(delta.getDelta().getRemovedRoutesList()).isEmpty();
        assertThat(SnapshotDeltas.apply(base, delta).toBuilder().clearNonce().build()).isEqualTo(full);
    }

    /** The stored config, edited at random; lists come out sorted by name like the control plane's queries. */
    private static final class World {
        final TreeMap<String, Route> routes = new TreeMap<>();
        final TreeMap<String, Upstream> upstreams = new TreeMap<>();
        final TreeMap<String, Certificate> certificates = new TreeMap<>();
        final TreeMap<String, SiteDeployment> sites = new TreeMap<>();
        final TreeMap<String, StreamRoute> streamRoutes = new TreeMap<>();
        List<CachePurge> purges = new ArrayList<>();
        long purgeFloor;
        int serial;

        World() {
            for (int i = 0; i < 20; i++) {
                upsertRoute(new Random(i));
            }
        }

        void edit(Random r) {
            int edits = 1 + r.nextInt(r.nextInt(10) == 0 ? 30 : 4);
            for (int i = 0; i < edits; i++) {
                switch (r.nextInt(12)) {
                    case 0, 1, 2 -> upsertRoute(r);
                    case 3 -> remove(routes, r);
                    case 4 -> upstream(r, name("u", r));
                    case 5 -> remove(upstreams, r);
                    case 6 -> {
                        String n = name("c", r);
                        certificates.put(n, Certificate.newBuilder().setName(n).setCertChainPem("chain" + serial++)
                                .addSnis("c" + r.nextInt(5) + ".test").build());
                    }
                    case 7 -> remove(certificates, r);
                    case 8 -> {
                        String n = name("s", r);
                        sites.put(n, SiteDeployment.newBuilder().setSite(n).setDeploymentId("d" + serial++).build());
                    }
                    case 9 -> {
                        String u = upstream(r, name("u", r));
                        String n = name("t", r);
                        streamRoutes.put(n, StreamRoute.newBuilder().setName(n).setListenPort(20000 + r.nextInt(100))
                                .setUpstream(u).build());
                    }
                    case 10 -> remove(streamRoutes, r);
                    default -> {
                        purges.add(CachePurge.newBuilder().setId(serial++).setUrl("a.test/" + serial).build());
                        if (purges.size() > 3) {
                            purges = new ArrayList<>(purges.subList(1, purges.size()));
                            purgeFloor++;
                        }
                    }
                }
            }
        }

        private void upsertRoute(Random r) {
            String u = upstream(r, name("u", r));
            String name = name("r", r);
            routes.put(name, Route.newBuilder().setName(name).addHosts("h" + r.nextInt(8) + ".test")
                    .addPaths("/" + r.nextInt(4)).setUpstream(u).build());
        }

        private String upstream(Random r, String name) {
            upstreams.put(name, Upstream.newBuilder().setName(name)
                    .addTargets(Target.newBuilder().setHost("127.0.0.1").setPort(1 + r.nextInt(65535)).setWeight(1)).build());
            return name;
        }

        private <T> void remove(TreeMap<String, T> map, Random r) {
            if (!map.isEmpty()) {
                map.remove(new ArrayList<>(map.keySet()).get(r.nextInt(map.size())));
            }
        }

        private static String name(String prefix, Random r) {
            return prefix + r.nextInt(40);
        }

        Snapshot snapshot(long version) {
            // Routes and stream routes that name a removed upstream stay: the proxy quarantines them, in both modes.
            return Snapshot.newBuilder().setVersion(version)
                    .addAllRoutes(routes.values()).addAllUpstreams(upstreams.values())
                    .addAllCertificates(certificates.values()).addAllSites(sites.values())
                    .addAllStreamRoutes(streamRoutes.values()).addAllCachePurges(purges).setCachePurgeFloor(purgeFloor)
                    .build();
        }
    }
}
