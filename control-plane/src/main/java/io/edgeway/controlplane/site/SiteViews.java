package io.edgeway.controlplane.site;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.store.Database;
import io.edgeway.controlplane.store.NotFoundException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;

/** What the API shows of sites and deployments; the JSON shapes, snake_case like the rest of the API. */
public final class SiteViews {
    private static final String SITES = """
            SELECT s.name, s.active_deployment, s.created_at, s.updated_at,
                   (SELECT count(*) FROM site_deployments d WHERE d.site = s.name) AS deployments,
                   ARRAY(SELECT r.name FROM routes r WHERE r.site_name = s.name ORDER BY r.name) AS routes
            FROM sites s""";

    private final Database db;

    public SiteViews(Database db) {
        this.db = requireNonNull(db, "db");
    }

    public List<Map<String, Object>> sites() {
        return db.consistentRead(c -> rows(c, SITES + " ORDER BY s.name", null));
    }

    public Map<String, Object> site(String name) {
        List<Map<String, Object>> found = db.consistentRead(c -> rows(c, SITES + " WHERE s.name = ?", name));
        if (found.isEmpty()) {
            throw new NotFoundException("site", name);
        }
        return found.get(0);
    }

    private static List<Map<String, Object>> rows(Connection c, String sql, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (name != null) {
                ps.setString(1, name);
            }
            try (ResultSet rs = ps.executeQuery()) {
                List<Map<String, Object>> out = new ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("name", rs.getString("name"));
                    UUID active = rs.getObject("active_deployment", UUID.class);
                    m.put("active_deployment", active == null ? null : active.toString());
                    m.put("deployments", rs.getLong("deployments"));
                    m.put("routes", List.of((String[]) rs.getArray("routes").getArray()));
                    m.put("created_at", time(rs, "created_at"));
                    m.put("updated_at", time(rs, "updated_at"));
                    out.add(m);
                }
                return out;
            }
        }
    }

    /** A site's deployments, newest first, without their manifests. */
    public List<Map<String, Object>> deployments(String site) {
        return db.consistentRead(c -> {
            if (SiteRows.siteId(c, site, false).isEmpty()) {
                throw new NotFoundException("site", site);
            }
            UUID active = SiteActivation.active(c, site);
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT id, created_at, actor, file_count, total_size, activated_at FROM site_deployments
                    WHERE site = ? ORDER BY created_at DESC, id""")) {
                ps.setString(1, site);
                try (ResultSet rs = ps.executeQuery()) {
                    List<Map<String, Object>> out = new ArrayList<>();
                    while (rs.next()) {
                        UUID id = rs.getObject("id", UUID.class);
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("id", id.toString());
                        m.put("site", site);
                        m.put("created_at", time(rs, "created_at"));
                        m.put("actor", rs.getString("actor"));
                        m.put("files", rs.getInt("file_count"));
                        m.put("total_size", rs.getLong("total_size"));
                        m.put("active", id.equals(active));
                        m.put("activated_at", time(rs, "activated_at"));
                        out.add(m);
                    }
                    return out;
                }
            }
        });
    }

    /** A deployment with its manifest. */
    public static Map<String, Object> manifest(Deployment d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", d.id().toString());
        m.put("site", d.site());
        m.put("created_at", d.createdAt().toString());
        m.put("actor", d.actor());
        m.put("total_size", d.totalSize());
        m.put("files", d.files().stream().map(SiteFile::json).toList());
        return m;
    }

    /** Paths {@code to} has and {@code from} lacks, the reverse, and those whose content differs. */
    public static Map<String, Object> diff(Deployment from, Deployment to) {
        Map<String, String> before = new LinkedHashMap<>();
        from.files().forEach(f -> before.put(f.path(), f.sha256()));
        Map<String, String> after = new LinkedHashMap<>();
        to.files().forEach(f -> after.put(f.path(), f.sha256()));
        TreeSet<String> added = new TreeSet<>();
        TreeSet<String> changed = new TreeSet<>();
        after.forEach((path, hash) -> {
            String old = before.get(path);
            if (old == null) {
                added.add(path);
            } else if (!old.equals(hash)) {
                changed.add(path);
            }
        });
        TreeSet<String> removed = new TreeSet<>(before.keySet());
        removed.removeAll(after.keySet());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from", from.id().toString());
        m.put("to", to.id().toString());
        m.put("added", List.copyOf(added));
        m.put("removed", List.copyOf(removed));
        m.put("changed", List.copyOf(changed));
        return m;
    }

    /** The active deployment's id, or 404 naming why there is none. */
    public String activeId(String site) {
        UUID active = db.consistentRead(c -> SiteActivation.active(c, site));
        if (active == null) {
            throw new NotFoundException("active deployment of site", site);
        }
        return active.toString();
    }

    private static String time(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant().toString();
    }
}
