package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.Certificate;
import io.edgeway.controlplane.model.Config;
import io.edgeway.controlplane.model.FieldError;
import io.edgeway.controlplane.model.Stored;
import io.edgeway.controlplane.model.ValidationException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The declarative side of the store: the whole config as one document. Entities match by name; what the
 * document lacks is deleted. An apply is one transaction and at most one revision, with one log entry per
 * changed entity, so history, diff and rollback see it as one change.
 *
 * <p>Certificates in a document may leave out their private key when the control plane already holds a
 * key for the same leaf (same SHA-256 fingerprint): that is how an export, which never carries keys,
 * applies back unchanged, and how a rollback restores a certificate without the log holding key material.
 */
public final class ConfigStore {
    /** One entity in a plan; {@code fields} names what an update changes (empty otherwise). */
    public record Change(String kind, String name, List<String> fields) {
        public Change {
            fields = List.copyOf(fields);
        }
    }

    /**
     * What applying a document does to the current state, and the problems only the stored state reveals
     * (a certificate left without a key the store could supply); a plan with problems is never applied.
     */
    public record Plan(List<Change> created, List<Change> updated, List<Change> deleted, List<Change> unchanged,
                       List<FieldError> problems) {
        public static final Plan NONE = new Plan(List.of(), List.of(), List.of(), List.of(), List.of());

        public Plan {
            created = List.copyOf(created);
            updated = List.copyOf(updated);
            deleted = List.copyOf(deleted);
            unchanged = List.copyOf(unchanged);
            problems = List.copyOf(problems);
        }

        public boolean changesNothing() {
            return created.isEmpty() && updated.isEmpty() && deleted.isEmpty();
        }
    }

    private final RevisionLog log;

    public ConfigStore(RevisionLog log) {
        this.log = requireNonNull(log, "log");
    }

    /** The current state, as a document, with the revision it was read at. */
    public Written<Config> current() {
        return log.db().consistentRead(c -> new Written<>(ConfigWrite.State.read(c).config(), RevisionLog.current(c), false));
    }

    /** What {@link #apply} would do now, without writing; {@code keyed} names the certificates given with a key. */
    /** The active deployments of the sites {@code doc}'s routes serve: what a snapshot of it would carry. */
    public List<io.edgeway.controlplane.site.Deployment> activeDeployments(Config doc) {
        java.util.Set<String> served = new java.util.TreeSet<>();
        doc.routes().forEach(r -> {
            if (r.site() != null) {
                served.add(r.site().name());
            }
        });
        return log.db().consistentRead(c -> io.edgeway.controlplane.site.SiteRows.activeDeployments(c, served, Map.of()));
    }

    public Written<Plan> plan(Config doc, Set<String> keyed) {
        requireNonNull(doc, "doc");
        requireNonNull(keyed, "keyed");
        return log.db().consistentRead(c -> new Written<>(plan(c, doc, ConfigWrite.State.read(c), keyed),
                RevisionLog.current(c), false));
    }

    /**
     * Makes {@code doc} the whole config. {@code sealedKeys} holds, by certificate name, the private keys the
     * document gave, already encrypted under the master key; a certificate not in it keeps the key stored
     * for its leaf. The revision is the new one, or the current one when the document equals the state
     * (then nothing is written).
     */
    public Written<Plan> apply(Config doc, Map<String, byte[]> sealedKeys) {
        requireNonNull(doc, "doc");
        Map<String, byte[]> keys = Map.copyOf(sealedKeys);
        return log.writeIfChanged((c, bump) -> {
            ConfigWrite.State state = ConfigWrite.State.read(c);
            Plan plan = plan(c, doc, state, keys.keySet());
            if (!plan.problems().isEmpty()) {
                throw new ValidationException(plan.problems());
            }
            if (plan.changesNothing()) {
                return new Written<>(plan, RevisionLog.current(c), false);
            }
            long revision = bump.getAsLong();
            new ConfigWrite(c, revision, keys).write(doc, state);
            return new Written<>(plan, revision, false);
        });
    }

    private static Plan plan(Connection c, Config doc, ConfigWrite.State state, Set<String> keyed) throws SQLException {
        List<Plan> parts = List.of(
                compare(ConfigWrite.UPSTREAM, doc.upstreams(), values(state.upstreams()), u -> u.name(), EntityJson::upstreamDoc),
                compare(ConfigWrite.ROUTE, doc.routes(), values(state.routes()), r -> r.name(), EntityJson::routeDoc),
                compare(ConfigWrite.CERTIFICATE, doc.certificates(), values(state.certificates()), Certificate::name,
                        EntityJson::certificateDoc),
                compare(ConfigWrite.STREAM_ROUTE, doc.streamRoutes(), values(state.streamRoutes()), r -> r.name(),
                        EntityJson::streamRouteDoc));
        List<FieldError> problems = new ArrayList<>();
        for (int i = 0; i < doc.certificates().size(); i++) {
            Certificate cert = doc.certificates().get(i);
            if (!cert.managed() && !keyed.contains(cert.name()) && CertificateStore.sealedKey(c, cert.fingerprintSha256()) == null) {
                problems.add(new FieldError("certificates[" + i + "].key", "key: missing (expected: the PEM private key of"
                        + " this certificate; it may be left out only for a certificate whose leaf (fingerprint_sha256 "
                        + cert.fingerprintSha256() + ") the control plane already holds a key for)"));
            }
        }
        return new Plan(flat(parts, Plan::created), flat(parts, Plan::updated), flat(parts, Plan::deleted),
                flat(parts, Plan::unchanged), problems);
    }

    private static <T> Plan compare(String kind, List<T> wanted, List<T> current, Function<T, String> name,
                                    Function<T, Map<String, Object>> view) {
        Map<String, T> now = new LinkedHashMap<>();
        current.forEach(t -> now.put(name.apply(t), t));
        List<Change> created = new ArrayList<>();
        List<Change> updated = new ArrayList<>();
        List<Change> unchanged = new ArrayList<>();
        for (T w : wanted) {
            T before = now.remove(name.apply(w));
            if (before == null) {
                created.add(new Change(kind, name.apply(w), List.of()));
            } else if (before.equals(w)) {
                unchanged.add(new Change(kind, name.apply(w), List.of()));
            } else {
                updated.add(new Change(kind, name.apply(w), changedFields(view.apply(before), view.apply(w))));
            }
        }
        List<Change> deleted = now.keySet().stream().map(n -> new Change(kind, n, List.of())).toList();
        return new Plan(created, updated, deleted, unchanged, List.of());
    }

    /** The top-level fields whose values differ; an absent field and an empty one are the same. */
    public static List<String> changedFields(Map<String, Object> before, Map<String, Object> after) {
        List<String> keys = new ArrayList<>(before.keySet());
        after.keySet().stream().filter(k -> !keys.contains(k)).forEach(keys::add);
        return keys.stream().filter(k -> !Objects.equals(before.get(k), after.get(k))).toList();
    }

    private static <T> List<T> values(List<Stored<T>> stored) {
        return stored.stream().map(Stored::value).toList();
    }

    private static List<Change> flat(List<Plan> parts, Function<Plan, List<Change>> part) {
        return parts.stream().flatMap(p -> part.apply(p).stream()).toList();
    }
}
