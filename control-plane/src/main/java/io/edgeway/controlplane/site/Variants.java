package io.edgeway.controlplane.site;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fills in a deployment's precompressed variants before it is first activated. The decision (variant, or
 * "not worth it") is kept per content hash in site_variants, so an unchanged file is compressed once in its
 * life, whatever the number of deployments. Each file is compressed in its own short transaction: never
 * while the config revision is locked.
 */
final class Variants {
    private static final String NONE = "";
    private final Database db;

    Variants(Database db) {
        this.db = requireNonNull(db, "db");
    }

    /** {@code d} with every worthwhile variant named; its manifest and held blobs updated when that changed it. */
    Deployment complete(Deployment d) {
        List<SiteFile> files = new ArrayList<>(d.files().size());
        boolean changed = false;
        for (SiteFile f : d.files()) {
            SiteFile done = f;
            if (Precompression.worthTrying(f.path(), f.size()) && f.gzipSha256() == null && f.brSha256() == null) {
                done = variantsOf(f);
                changed |= !done.equals(f);
            }
            files.add(done);
        }
        if (!changed) {
            return d;
        }
        Deployment completed = new Deployment(d.id(), d.site(), d.createdAt(), d.actor(), files);
        db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE site_deployments SET manifest = ?::jsonb WHERE id = ?")) {
                ps.setString(1, SiteRows.manifestJson(files));
                ps.setObject(2, d.id());
                ps.executeUpdate();
            }
            List<SiteStore.Held> held = new ArrayList<>();
            for (SiteFile f : files) {
                if (f.gzipSha256() != null) {
                    held.add(new SiteStore.Held(f.gzipSha256(), f.gzipSize()));
                }
                if (f.brSha256() != null) {
                    held.add(new SiteStore.Held(f.brSha256(), f.brSize()));
                }
            }
            SiteStore.holds(c, d.id(), held);
            return null;
        });
        return completed;
    }

    private SiteFile variantsOf(SiteFile f) {
        return db.transaction(c -> {
            Map<String, String> known = decisions(c, f.sha256());
            byte[] content = null;
            for (String encoding : List.of("gzip", "br")) {
                if (known.containsKey(encoding) || (encoding.equals("br") && !Precompression.brotli())) {
                    continue; // without brotli here, no decision is recorded: a later control plane may make one
                }
                if (content == null) {
                    content = content(c, f.sha256());
                }
                byte[] variant = encoding.equals("gzip") ? Precompression.gzip(content) : Precompression.brotli(content);
                String hash = NONE;
                if (variant != null) {
                    hash = SiteStore.sha256(variant);
                    SiteStore.insertBlob(c, hash, variant);
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO site_variants (sha256, encoding, variant_sha256) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
                    ps.setString(1, f.sha256());
                    ps.setString(2, encoding);
                    ps.setString(3, hash);
                    ps.executeUpdate();
                }
                known.put(encoding, hash);
            }
            String gzip = known.getOrDefault("gzip", NONE);
            String br = known.getOrDefault("br", NONE);
            return f.withVariants(gzip.isEmpty() ? null : gzip, gzip.isEmpty() ? 0 : size(c, gzip),
                    br.isEmpty() ? null : br, br.isEmpty() ? 0 : size(c, br));
        });
    }

    private static Map<String, String> decisions(Connection c, String sha256) throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT encoding, variant_sha256 FROM site_variants WHERE sha256 = ?")) {
            ps.setString(1, sha256);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return out;
    }

    private static byte[] content(Connection c, String sha256) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT content FROM site_blobs WHERE sha256 = ?")) {
            ps.setString(1, sha256);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("blob " + sha256 + " vanished while its deployment was activated");
                }
                return rs.getBytes(1);
            }
        }
    }

    private static long size(Connection c, String sha256) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT size FROM site_blobs WHERE sha256 = ?")) {
            ps.setString(1, sha256);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }
}
