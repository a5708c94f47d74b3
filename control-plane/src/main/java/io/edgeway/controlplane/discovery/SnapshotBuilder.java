package io.edgeway.controlplane.discovery;

import io.edgeway.controlplane.cache.RouteCaches;
import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.Route;
import io.edgeway.controlplane.model.Stored;
import io.edgeway.controlplane.model.StreamRoute;
import io.edgeway.controlplane.model.Target;
import io.edgeway.controlplane.model.Upstream;
import io.edgeway.controlplane.store.ConfigState;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.StreamProtocol;
import io.edgeway.proto.v1.Timeouts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the stored config into the proto the proxies run: the admin API's words, durations in ms.
 *
 * <p>Only what a proxy reads is filled. Ids are left out: proxies key routes and upstreams by name (unique,
 * and what a Nack reports), and a random 36-character UUID was half of a route's bytes and, being random,
 * most of the gzipped snapshot (10,000 routes: 286 KB gzipped with ids, 46 KB without). Timeouts are left
 * out when all are "proxy default", which an absent message already means.
 */
public final class SnapshotBuilder {
    private SnapshotBuilder() {}

    /**
     * The snapshot for {@code state}, not serialized: enough for the pre-commit check, which never sends it.
     * Without certificates: their keys stay sealed outside the push path.
     */
    public static Snapshot snapshot(ConfigState state) {
        requireNonNull(state, "state");
        Snapshot.Builder b = Snapshot.newBuilder().setVersion(state.revision());
        state.upstreams().forEach(s -> b.addUpstreams(upstream(s.value())));
        state.routes().forEach(s -> b.addRoutes(route(s.value())));
        SiteSnapshot.addTo(state.sites(), b);
        state.streamRoutes().forEach(s -> b.addStreamRoutes(streamRoute(s.value())));
        return b.build();
    }

    /**
     * Builds the snapshots of successive states on one thread, reusing the proto of every route whose
     * {@link Stored} object is the one of the previous build: {@link ConfigState#load(
     * io.edgeway.controlplane.store.Database, ConfigState)} keeps those for rows not written since, so a
     * one-route change rebuilds one route, not 10,000. Matched by identity: a route read again is rebuilt, which
     * is never wrong. Both lists are sorted by name, so the match is one walk over the two (issue 22: hashing
     * 10,000 routes per write showed in the builder's profile). Holds only the last build's routes.
     */
    static final class Reusing {
        private final CertificatePush certificates;
        private List<Stored<Route>> builtFrom = List.of();
        private List<io.edgeway.proto.v1.Route> built = List.of();
        private PreparedSnapshot last; // the base of the next build's delta
        private long lastAssembleNanos;
        private long lastCertificatesNanos;

        /** {@code certificates}: opens the sealed keys; null pushes no certificates (tests of routes alone). */
        Reusing(CertificatePush certificates) {
            this.certificates = certificates;
        }

        Reusing() {
            this(null);
        }

        PreparedSnapshot build(ConfigState state) {
            requireNonNull(state, "state");
            long start = System.nanoTime();
            Snapshot.Builder b = Snapshot.newBuilder().setVersion(state.revision());
            state.upstreams().forEach(s -> b.addUpstreams(upstream(s.value()))); // few, and cheap to build
            List<io.edgeway.proto.v1.Route> next = new ArrayList<>(state.routes().size());
            int j = 0; // the first route of the last build not yet passed
            for (Stored<Route> s : state.routes()) {
                // Skip the last build's routes that sort before this one: deleted or rewritten since. If the lists
                // are ever not in the same order, routes are only rebuilt, never mismatched (identity decides).
                while (j < builtFrom.size() && builtFrom.get(j) != s
                        && builtFrom.get(j).value().name().compareTo(s.value().name()) < 0) {
                    j++;
                }
                boolean same = j < builtFrom.size() && builtFrom.get(j) == s;
                next.add(same ? built.get(j++) : route(s.value()));
            }
            b.addAllRoutes(next);
            // Every upstream is in the snapshot already, so the one a stream route names is too, used by HTTP or not.
            state.streamRoutes().forEach(s -> b.addStreamRoutes(streamRoute(s.value())));
            long certificatesStart = System.nanoTime();
            if (certificates != null) {
                certificates.addTo(state, b);
                certificates.addTlsAlpnChallenges(state, b);
            }
            lastCertificatesNanos = System.nanoTime() - certificatesStart;
            CertificatePush.addChallenges(state, b);
            SiteSnapshot.addTo(state.sites(), b);
            RouteCaches.addPurges(state.cachePurges(), b);
            builtFrom = state.routes();
            built = next;
            Snapshot snapshot = b.build();
            lastAssembleNanos = System.nanoTime() - start;
            last = PreparedSnapshot.of(snapshot, last);
            return last;
        }

        /** Of {@link #lastAssembleNanos()}: opening the certificates' keys and adding them. */
        long lastCertificatesNanos() {
            return lastCertificatesNanos;
        }

        /** How long the last {@link #build} took to make the proto, before encoding it. */
        long lastAssembleNanos() {
            return lastAssembleNanos;
        }
    }

    private static io.edgeway.proto.v1.Upstream upstream(Upstream value) {
        var u = io.edgeway.proto.v1.Upstream.newBuilder().setName(value.name());
        for (Target t : value.targets()) {
            u.addTargets(io.edgeway.proto.v1.Target.newBuilder().setHost(t.host()).setPort(t.port()).setWeight(t.weight()));
        }
        UpstreamPolicies.apply(value, u);
        return u.build();
    }

    private static io.edgeway.proto.v1.StreamRoute streamRoute(StreamRoute r) {
        return io.edgeway.proto.v1.StreamRoute.newBuilder().setName(r.name()).setListenPort(r.listenPort())
                .setProtocol(r.protocol().equals("udp") ? StreamProtocol.UDP : StreamProtocol.TCP)
                .addAllSnis(r.snis()).setUpstream(r.upstream()).build();
    }

    private static io.edgeway.proto.v1.Route route(Route r) {
        var route = io.edgeway.proto.v1.Route.newBuilder()
                .setName(r.name())
                .addAllHosts(r.hosts())
                .addAllPaths(r.paths())
                .addAllMethods(r.methods());
        if (r.site() != null) {
            route.setSite(io.edgeway.proto.v1.RouteSite.newBuilder().setName(r.site().name()).setSpa(r.site().spa()));
        } else if (r.upstream() != null) { // a redirect route has none
            route.setUpstream(r.upstream());
        }
        Timeouts timeouts = Timeouts.newBuilder()
                .setConnectMs(millis(r.timeouts().connect()))
                .setFirstByteMs(millis(r.timeouts().firstByte()))
                .setIdleMs(millis(r.timeouts().idle()))
                .build();
        if (!timeouts.equals(Timeouts.getDefaultInstance())) {
            route.setTimeouts(timeouts);
        }
        route.setHttpsRedirect(r.https().redirect())
                .setHstsMaxAgeS(r.https().hstsMaxAgeSeconds())
                .setHstsIncludeSubdomains(r.https().hstsIncludeSubdomains());
        if (!r.accessLog().isDefault()) {
            route.setAccessLog(io.edgeway.proto.v1.RouteAccessLog.newBuilder().setOff(!r.accessLog().enabled())
                    .setSample(r.accessLog().sample()));
        }
        if (r.cache().enabled()) {
            route.setCache(RouteCaches.toProto(r.cache()));
        }
        RouteActionsProto.apply(r.actions(), route);
        io.edgeway.controlplane.limits.RouteLimitsProto.apply(r.limits(), route);
        return route.build();
    }

    private static long millis(Duration d) {
        return d == null ? 0 : d.toMillis(); // 0 is the proto's "proxy default"
    }
}
