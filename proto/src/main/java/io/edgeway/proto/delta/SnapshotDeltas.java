package io.edgeway.proto.delta;

import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.SnapshotDelta;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Delta snapshots (issue 22): the control plane makes them with {@link #diff}, the proxy applies them with
 * {@link #apply}. The one piece of code both sides share beyond the generated messages, on purpose: a delta is
 * only correct if both sides agree exactly on how it merges, and the control plane sends one only after checking
 * that {@code apply(base, diff(base, full))} equals {@code full} (see {@link #diff}), so a field this class does
 * not know (added later) makes the control plane send full snapshots instead of silently losing it.
 */
public final class SnapshotDeltas {
    /** The Hello capability of a proxy that applies delta snapshots: one name for both sides. */
    public static final String CAPABILITY = "deltas";

    private SnapshotDeltas() {}

    /** A keyed list of the snapshot, with how to read and write it on each side. */
    private record Keyed<T>(Function<Snapshot, List<T>> list, Function<T, String> key) {}

    private static final Keyed<io.edgeway.proto.v1.Route> ROUTES =
            new Keyed<>(Snapshot::getRoutesList, io.edgeway.proto.v1.Route::getName);
    private static final Keyed<io.edgeway.proto.v1.Upstream> UPSTREAMS =
            new Keyed<>(Snapshot::getUpstreamsList, io.edgeway.proto.v1.Upstream::getName);
    private static final Keyed<io.edgeway.proto.v1.Certificate> CERTIFICATES =
            new Keyed<>(Snapshot::getCertificatesList, io.edgeway.proto.v1.Certificate::getName);
    private static final Keyed<io.edgeway.proto.v1.SiteDeployment> SITES =
            new Keyed<>(Snapshot::getSitesList, io.edgeway.proto.v1.SiteDeployment::getSite);
    private static final Keyed<io.edgeway.proto.v1.StreamRoute> STREAM_ROUTES =
            new Keyed<>(Snapshot::getStreamRoutesList, io.edgeway.proto.v1.StreamRoute::getName);

    /**
     * The delta that turns {@code base} into {@code full} (version set, nonce empty), or null when none can be
     * made that reproduces {@code full} exactly (duplicate names, fields unknown here, an order the merge cannot
     * rebuild). The caller still compares sizes: a delta that is not smaller than the full snapshot is useless.
     */
    public static Snapshot diff(Snapshot base, Snapshot full) {
        return diff(base, full, null);
    }

    /**
     * As {@link #diff(Snapshot, Snapshot)}, with {@code fullSha256} the SHA-256 of {@code full.toByteArray()} when the
     * caller has it already (the control plane hashes the encoding it sends anyway; hashing here would serialize
     * 10,000 routes once more); null to compute it here.
     */
    public static Snapshot diff(Snapshot base, Snapshot full, byte[] fullSha256) {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(full, "full");
        if (base.hasDelta() || full.hasDelta() || !full.getNonce().isEmpty()) {
            return null;
        }
        SnapshotDelta.Builder d = SnapshotDelta.newBuilder().setBaseVersion(base.getVersion());
        Snapshot.Builder b = Snapshot.newBuilder().setVersion(full.getVersion());
        boolean ok = diff(ROUTES, base, full, b::addRoutes, d::addRoutePositions, d::addRemovedRoutes)
                && diff(UPSTREAMS, base, full, b::addUpstreams, d::addUpstreamPositions, d::addRemovedUpstreams)
                && diff(CERTIFICATES, base, full, b::addCertificates, d::addCertificatePositions, d::addRemovedCertificates)
                && diff(SITES, base, full, b::addSites, d::addSitePositions, d::addRemovedSites)
                && diff(STREAM_ROUTES, base, full, b::addStreamRoutes, d::addStreamRoutePositions, d::addRemovedStreamRoutes);
        if (!ok) {
            return null;
        }
        copyUnkeyed(full, b);
        byte[] sha = fullSha256 != null ? fullSha256 : sha256(full);
        Snapshot delta = b.setDelta(d.setResultSha256(com.google.protobuf.ByteString.copyFrom(sha))).build();
        try {
            // The merge itself, compared with the full snapshot field by field: stronger than the hash (which is
            // taken from full, so it could only repeat this comparison) and what catches a field unknown here.
            return merged(base, delta).equals(full) ? delta : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The full snapshot {@code delta} stands for on top of {@code base}, with the delta's version and nonce.
     * Throws IllegalArgumentException when {@code base} is not the delta's base or the delta is malformed; the
     * proxy then Nacks it and is sent the full snapshot.
     */
    public static Snapshot apply(Snapshot base, Snapshot delta) {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(delta, "delta");
        if (!delta.hasDelta()) {
            throw new IllegalArgumentException("delta: not set (expected: a delta snapshot)");
        }
        SnapshotDelta d = delta.getDelta();
        if (d.getBaseVersion() != base.getVersion()) {
            throw new IllegalArgumentException("delta.base_version: " + d.getBaseVersion()
                    + " (expected: the applied version " + base.getVersion() + ")");
        }
        if (delta.getVersion() <= base.getVersion()) {
            throw new IllegalArgumentException("version: " + delta.getVersion() + " (expected: > base "
                    + base.getVersion() + ")");
        }
        Snapshot merged = merged(base, delta);
        if (!d.getResultSha256().isEmpty()
                && !java.util.Arrays.equals(d.getResultSha256().toByteArray(), sha256(merged.toBuilder().clearNonce().build()))) {
            throw new IllegalArgumentException("delta.result_sha256: the merge on base " + base.getVersion()
                    + " differs from the control plane's version " + delta.getVersion()
                    + " (expected: the same base as the control plane's)");
        }
        return merged;
    }

    /** The merge of {@link #apply}, without its checks of versions and hash. */
    private static Snapshot merged(Snapshot base, Snapshot delta) {
        SnapshotDelta d = delta.getDelta();
        Snapshot.Builder b = Snapshot.newBuilder().setVersion(delta.getVersion()).setNonce(delta.getNonce());
        b.addAllRoutes(merge(ROUTES, base, delta, d.getRoutePositionsList(), d.getRemovedRoutesList(), "routes"));
        b.addAllUpstreams(merge(UPSTREAMS, base, delta, d.getUpstreamPositionsList(), d.getRemovedUpstreamsList(),
                "upstreams"));
        b.addAllCertificates(merge(CERTIFICATES, base, delta, d.getCertificatePositionsList(),
                d.getRemovedCertificatesList(), "certificates"));
        b.addAllSites(merge(SITES, base, delta, d.getSitePositionsList(), d.getRemovedSitesList(), "sites"));
        b.addAllStreamRoutes(merge(STREAM_ROUTES, base, delta, d.getStreamRoutePositionsList(),
                d.getRemovedStreamRoutesList(), "stream_routes"));
        copyUnkeyed(delta, b);
        return b.build();
    }

    private static byte[] sha256(Snapshot s) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(s.toByteArray());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Small lists without a name, carried whole in every delta. */
    private static void copyUnkeyed(Snapshot from, Snapshot.Builder to) {
        to.addAllSessionTicketKeys(from.getSessionTicketKeysList())
                .addAllAcmeHttpChallenges(from.getAcmeHttpChallengesList())
                .addAllAcmeTlsAlpnChallenges(from.getAcmeTlsAlpnChallengesList())
                .addAllCachePurges(from.getCachePurgesList())
                .setCachePurgeFloor(from.getCachePurgeFloor());
    }

    private static <T> boolean diff(Keyed<T> kind, Snapshot base, Snapshot full, java.util.function.Consumer<T> upsert,
            java.util.function.IntConsumer position, java.util.function.Consumer<String> removed) {
        List<T> before = kind.list().apply(base);
        List<T> after = kind.list().apply(full);
        if (inPlace(kind, before, after, upsert, position)) {
            return true;
        }
        Map<String, T> old = new HashMap<>(before.size() * 2);
        for (T t : before) {
            if (old.put(kind.key().apply(t), t) != null) {
                return false; // duplicate names: no key to merge by
            }
        }
        Set<String> present = new HashSet<>(after.size() * 2);
        for (int i = 0; i < after.size(); i++) {
            T t = after.get(i);
            String key = kind.key().apply(t);
            if (!present.add(key)) {
                return false;
            }
            T was = old.get(key);
            if (was != t && !t.equals(was)) { // identity first: the builder reuses unchanged routes' messages
                upsert.accept(t);
                position.accept(i);
            }
        }
        for (T t : before) {
            if (!present.contains(kind.key().apply(t))) {
                removed.accept(kind.key().apply(t));
            }
        }
        return true;
    }

    /**
     * The common write: entities changed where they stand, none added or removed. The builder reuses the message
     * of every unchanged entity, so a walk comparing references finds the few changed ones without hashing
     * 10,000 names. Writes the same delta the general path would (given unique names, which the caller's check
     * of the merged result covers); false, having written nothing, when the lists differ in any other way.
     */
    private static <T> boolean inPlace(Keyed<T> kind, List<T> before, List<T> after,
            java.util.function.Consumer<T> upsert, java.util.function.IntConsumer position) {
        if (before.size() != after.size()) {
            return false;
        }
        int[] changed = new int[Math.min(after.size(), 16)];
        int count = 0;
        for (int i = 0; i < after.size(); i++) {
            T was = before.get(i);
            T now = after.get(i);
            if (was == now || now.equals(was)) {
                continue;
            }
            if (count == changed.length || !kind.key().apply(now).equals(kind.key().apply(was))) {
                return false; // many changes, or a rename or a move: the general path sorts it out
            }
            changed[count++] = i;
        }
        for (int k = 0; k < count; k++) {
            upsert.accept(after.get(changed[k]));
            position.accept(changed[k]);
        }
        return true;
    }

    /**
     * The base's entries less the removed and upserted ones, in their order, with each upserted entity put at
     * its position in the full list. Positions must be strictly increasing and reachable.
     */
    private static <T> List<T> merge(Keyed<T> kind, Snapshot base, Snapshot delta, List<Integer> positions,
            List<String> removedNames, String field) {
        List<T> upserts = kind.list().apply(delta);
        if (upserts.size() != positions.size()) {
            throw new IllegalArgumentException("delta." + field + ": " + upserts.size() + " entries but "
                    + positions.size() + " positions (expected: one each)");
        }
        Set<String> drop = new HashSet<>(removedNames);
        upserts.forEach(u -> drop.add(kind.key().apply(u)));
        List<T> kept = new ArrayList<>();
        for (T t : kind.list().apply(base)) {
            if (!drop.contains(kind.key().apply(t))) {
                kept.add(t);
            }
        }
        List<T> out = new ArrayList<>(kept.size() + upserts.size());
        int k = 0;
        for (int i = 0; i < upserts.size(); i++) {
            int p = positions.get(i);
            if (p < out.size() || p > out.size() + kept.size() - k) {
                throw new IllegalArgumentException("delta." + field + " position " + Integer.toUnsignedString(p)
                        + " (expected: increasing, at most " + (out.size() + kept.size() - k) + ")");
            }
            while (out.size() < p) {
                out.add(kept.get(k++));
            }
            out.add(upserts.get(i));
        }
        out.addAll(kept.subList(k, kept.size()));
        return out;
    }
}
