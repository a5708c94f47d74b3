package io.edgeway.controlplane.site;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeway.controlplane.model.ValidationException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;

/** Reads of the site tables that other parts of the store need inside their own transactions. */
public final class SiteRows {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private SiteRows() {}

    /** A route may name only a site that exists (422 otherwise), so no snapshot names a site nobody deployed. */
    public static void requireSite(Connection c, String name) throws SQLException {
        if (siteId(c, name, false).isEmpty()) {
            throw new ValidationException("site.name", "site.name: " + name
                    + " (expected: the name of an existing site; deploy it first with POST /api/v1/sites/" + name + "/deployments)");
        }
    }

    static Optional<UUID> siteId(Connection c, String name, boolean lock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM sites WHERE name = ?" + (lock ? " FOR UPDATE" : ""))) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getObject(1, UUID.class)) : Optional.empty();
            }
        }
    }

    /**
     * The active deployment of each of {@code sites} that has one, by site name. Deployments never change once
     * active, so one already in {@code known} (by id) is reused instead of reading its manifest again.
     */
    public static List<Deployment> activeDeployments(Connection c, Collection<String> sites, Map<UUID, Deployment> known)
            throws SQLException {
        if (sites.isEmpty()) {
            return List.of();
        }
        List<Deployment> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT name, active_deployment FROM sites WHERE active_deployment IS NOT NULL AND name = ANY (?) ORDER BY name")) {
            ps.setArray(1, c.createArrayOf("text", new TreeSet<>(sites).toArray(new String[0])));
            try (ResultSet rs = ps.executeQuery()) {
                List<UUID> ids = new ArrayList<>();
                while (rs.next()) {
                    ids.add(rs.getObject(2, UUID.class));
                }
                for (UUID id : ids) {
                    Deployment d = known.get(id);
                    out.add(d != null ? d : deployment(c, id).orElseThrow());
                }
            }
        }
        return out;
    }

    static Optional<Deployment> deployment(Connection c, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT id, site, created_at, actor, manifest FROM site_deployments WHERE id = ?")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    private static Deployment read(ResultSet rs) throws SQLException {
        List<SiteFile> files = new ArrayList<>();
        for (JsonNode f : tree(rs.getString("manifest")).path("files")) {
            files.add(SiteFile.fromJson(f));
        }
        return new Deployment(rs.getObject("id", UUID.class), rs.getString("site"),
                rs.getObject("created_at", OffsetDateTime.class).toInstant(), rs.getString("actor"), files);
    }

    static String manifestJson(List<SiteFile> files) {
        try {
            return MAPPER.writeValueAsString(Map.of("files", files.stream().map(SiteFile::json).toList()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("manifest not serializable", e);
        }
    }

    private static JsonNode tree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored manifest not parseable", e);
        }
    }

    /** Of {@code hashes}, those no blob row holds yet, in the order given. */
    static List<String> missing(Connection c, Collection<String> hashes) throws SQLException {
        List<String> out = new ArrayList<>();
        if (hashes.isEmpty()) {
            return out;
        }
        var present = new java.util.HashSet<String>();
        try (PreparedStatement ps = c.prepareStatement("SELECT sha256 FROM site_blobs WHERE sha256 = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("text", hashes.toArray(new String[0])));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    present.add(rs.getString(1));
                }
            }
        }
        for (String h : new java.util.LinkedHashSet<>(hashes)) {
            if (!present.contains(h)) {
                out.add(h);
            }
        }
        return out;
    }
}
