package io.edgeway.controlplane.store;

import io.edgeway.controlplane.model.Certificate;
import io.edgeway.controlplane.model.Config;
import io.edgeway.controlplane.model.Route;
import io.edgeway.controlplane.model.Stored;
import io.edgeway.controlplane.model.StreamRoute;
import io.edgeway.controlplane.model.Upstream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Writes one declarative document inside an apply's transaction: per kind, delete what the document lacks,
 * then create or update what it lists, each with its revision log entry. The order keeps every foreign key
 * valid at each step (see {@link #write}).
 */
final class ConfigWrite {
    static final String UPSTREAM = "upstream";
    static final String ROUTE = "route";
    static final String CERTIFICATE = "certificate";
    static final String STREAM_ROUTE = "stream_route";

    /** Every stored entity of the four kinds, read once per apply under the revision lock. */
    record State(List<Stored<Upstream>> upstreams, List<Stored<Route>> routes, List<Stored<Certificate>> certificates,
                 List<Stored<StreamRoute>> streamRoutes) {
        static State read(Connection c) throws SQLException {
            return new State(UpstreamStore.all(c), RouteStore.all(c), CertificateStore.all(c), StreamRouteStore.all(c));
        }

        Config config() {
            return new Config(values(upstreams), values(routes), values(certificates), values(streamRoutes));
        }

        private static <T> List<T> values(List<Stored<T>> stored) {
            return stored.stream().map(Stored::value).toList();
        }
    }

    private static final EntityKind<Upstream> UPSTREAMS = UpstreamStore.KIND;
    private static final EntityKind<Route> ROUTES = RouteStore.KIND;
    private static final EntityKind<StreamRoute> STREAM_ROUTES = StreamRouteStore.KIND;

    private final Connection c;
    private final long revision;
    private final EntityKind<Certificate> certificates;

    /** {@code sealedKeys}: the document's private keys by certificate name, already encrypted. */
    ConfigWrite(Connection c, long revision, Map<String, byte[]> sealedKeys) {
        this.c = c;
        this.revision = revision;
        this.certificates = CertificateStore.KIND.withWrites(
                (conn, id, cert, rev) -> CertificateStore.insert(conn, id, cert, sealed(conn, cert, sealedKeys), rev),
                (conn, id, cert, rev) -> CertificateStore.update(conn, id, cert, sealed(conn, cert, sealedKeys), rev));
    }

    // The plan has already refused a key-less certificate whose leaf has no stored key, under the same lock.
    private static byte[] sealed(Connection c, Certificate cert, Map<String, byte[]> sealedKeys) throws SQLException {
        if (cert.managed()) {
            return null; // the ACME client's key stays with the row
        }
        byte[] given = sealedKeys.get(cert.name());
        return given != null ? given : CertificateStore.sealedKey(c, cert.fingerprintSha256());
    }

    /**
     * Upstreams are created and updated first (routes and stream routes may move to new ones), then routes
     * and stream routes, and only then are the upstreams dropped that nothing uses any more; the document
     * was checked to leave no route or stream route pointing at a dropped one. Two stream routes may swap
     * ports: who may share a port is checked on the whole document ({@link Config}), not per row.
     */
    void write(Config doc, State state) throws SQLException {
        upsert(UPSTREAMS, doc.upstreams(), state.upstreams());
        delete(ROUTES, doc.routes(), state.routes());
        upsert(ROUTES, doc.routes(), state.routes());
        delete(STREAM_ROUTES, doc.streamRoutes(), state.streamRoutes());
        upsert(STREAM_ROUTES, doc.streamRoutes(), state.streamRoutes());
        delete(certificates, doc.certificates(), state.certificates());
        upsert(certificates, doc.certificates(), state.certificates());
        delete(UPSTREAMS, doc.upstreams(), state.upstreams());
    }

    private <T> void upsert(EntityKind<T> k, List<T> wanted, List<Stored<T>> current) throws SQLException {
        Map<String, Stored<T>> byName = new LinkedHashMap<>();
        current.forEach(s -> byName.put(k.name().apply(s.value()), s));
        for (T value : wanted) {
            String name = k.name().apply(value);
            Stored<T> before = byName.get(name);
            if (before == null) {
                Stored<T> s = k.insert().apply(c, UUID.randomUUID(), value, revision);
                RevisionLog.record(c, revision, k.kind(), s.id(), name, "create", null, k.view().apply(s));
            } else if (!before.value().equals(value)) {
                Stored<T> s = k.update().apply(c, before.id(), value, revision);
                RevisionLog.record(c, revision, k.kind(), s.id(), name, "update", k.view().apply(before), k.view().apply(s));
            }
        }
    }

    private <T> void delete(EntityKind<T> k, List<T> wanted, List<Stored<T>> current) throws SQLException {
        Set<String> kept = wanted.stream().map(k.name()).collect(Collectors.toSet());
        for (Stored<T> before : current) {
            String name = k.name().apply(before.value());
            if (!kept.contains(name)) {
                Rows.deleteById(c, k.table(), before.id());
                RevisionLog.record(c, revision, k.kind(), before.id(), name, "delete", k.view().apply(before), null);
            }
        }
    }
}
