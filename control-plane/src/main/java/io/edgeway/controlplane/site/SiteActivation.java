package io.edgeway.controlplane.site;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.store.ConflictException;
import io.edgeway.controlplane.store.NotFoundException;
import io.edgeway.controlplane.store.RevisionLog;
import io.edgeway.controlplane.store.Written;
import io.edgeway.controlplane.model.ValidationException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The writes that change what the proxies serve: activating a deployment (rollback is activating an earlier
 * one) and deleting a site. Each is a config write like any entity's: one transaction that bumps the
 * revision and logs the site's before and after, so the snapshot changes, {@code ?wait=applied} waits for it
 * and the revision history shows it.
 */
public final class SiteActivation {
    static final String KIND = "site";

    private final RevisionLog log;
    private final SiteStore store;
    private final Variants variants;

    public SiteActivation(RevisionLog log, SiteStore store) {
        this.log = requireNonNull(log, "log");
        this.store = requireNonNull(store, "store");
        this.variants = new Variants(log.db());
    }

    /**
     * Makes deployment {@code id} the one {@code site} serves: 409 naming the blobs not uploaded yet, else its
     * variants are made (outside the revision lock) and the switch is committed as a new revision. Activating
     * the active deployment again changes nothing and makes no revision.
     */
    public Written<Map<String, Object>> activate(String site, String id) {
        Deployment d = store.deployment(site, id);
        log.db().consistentRead(c -> {
            List<String> missing = SiteRows.missing(c, d.files().stream().map(SiteFile::sha256).toList());
            if (!missing.isEmpty()) {
                throw new MissingBlobsException(id, missing);
            }
            return null;
        });
        Deployment complete = variants.complete(d);
        return log.writeIfChanged((c, bump) -> {
            UUID siteId = SiteRows.siteId(c, site, true).orElseThrow(() -> new NotFoundException("site", site));
            UUID before = active(c, site);
            if (complete.id().equals(before)) {
                return new Written<>(view(site, before), revision(c), false);
            }
            long revision = bump.getAsLong();
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE sites SET active_deployment = ?, revision = ?, updated_at = now() WHERE name = ?")) {
                ps.setObject(1, complete.id());
                ps.setLong(2, revision);
                ps.setString(3, site);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE site_deployments SET activated_at = clock_timestamp() WHERE id = ?")) {
                ps.setObject(1, complete.id());
                ps.executeUpdate();
            }
            Map<String, Object> after = view(site, complete.id());
            RevisionLog.record(c, revision, KIND, siteId, site, "update", view(site, before), after);
            return new Written<>(after, revision, false);
        });
    }

    /** Activates {@code to}, or else the deployment of {@code site} activated most recently before the current one. */
    public Written<Map<String, Object>> rollback(String site, String to) {
        if (to != null) {
            return activate(site, to);
        }
        UUID previous = log.db().consistentRead(c -> {
            if (SiteRows.siteId(c, site, false).isEmpty()) {
                throw new NotFoundException("site", site);
            }
            UUID current = active(c, site);
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT id FROM site_deployments WHERE site = ? AND activated_at IS NOT NULL AND id IS DISTINCT FROM ?
                    ORDER BY activated_at DESC LIMIT 1""")) {
                ps.setString(1, site);
                ps.setObject(2, current);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getObject(1, UUID.class) : null;
                }
            }
        });
        if (previous == null) {
            throw new ConflictException("to", "site " + site + ": no earlier deployment was ever active"
                    + " (expected: {\"to\": \"<deployment id>\"} naming one)");
        }
        return activate(site, previous.toString());
    }

    /**
     * Deletes a site, its deployments and the blobs no other deployment holds; 409 while a route serves it.
     * A config write (the site leaves the revision history's view), though no snapshot can change by it.
     */
    public Written<Void> delete(String site) {
        return log.write((c, revision) -> {
            UUID siteId = SiteRows.siteId(c, site, true).orElseThrow(() -> new NotFoundException("site", site));
            List<String> routes = routesServing(c, site);
            if (!routes.isEmpty()) {
                throw new ConflictException("name", "site " + site + " is served by route(s) " + String.join(", ", routes)
                        + " (expected: no route naming it; delete or change those first)");
            }
            Map<String, Object> before = view(site, active(c, site));
            try (PreparedStatement ps = c.prepareStatement("UPDATE sites SET active_deployment = NULL WHERE name = ?")) {
                ps.setString(1, site);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM sites WHERE name = ?")) {
                ps.setString(1, site);
                ps.executeUpdate();
            }
            collectGarbage(c);
            RevisionLog.record(c, revision, KIND, siteId, site, "delete", before, null);
            return new Written<>(null, revision, false);
        });
    }

    /** Blobs no deployment holds any more, and the variant decisions that named them. */
    private static void collectGarbage(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("""
                    DELETE FROM site_blobs b WHERE NOT EXISTS (SELECT 1 FROM site_deployment_blobs d WHERE d.sha256 = b.sha256)""");
            s.executeUpdate("""
                    DELETE FROM site_variants v WHERE NOT EXISTS (SELECT 1 FROM site_blobs b WHERE b.sha256 = v.sha256)
                       OR (v.variant_sha256 <> '' AND NOT EXISTS (SELECT 1 FROM site_blobs b WHERE b.sha256 = v.variant_sha256))""");
        }
    }

    static List<String> routesServing(Connection c, String site) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM routes WHERE site_name = ? ORDER BY name")) {
            ps.setString(1, site);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    static UUID active(Connection c, String site) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT active_deployment FROM sites WHERE name = ?")) {
            ps.setString(1, site);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getObject(1, UUID.class) : null;
            }
        }
    }

    private static long revision(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT revision FROM config_revision")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A site as the revision log keeps it: its name and active deployment. */
    static Map<String, Object> view(String site, UUID active) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", site);
        m.put("active_deployment", active == null ? null : active.toString());
        return m;
    }
}
