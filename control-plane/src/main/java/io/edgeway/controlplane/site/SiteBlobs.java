package io.edgeway.controlplane.site;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.discovery.BlobFetch;
import io.edgeway.controlplane.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * The blobs FetchBlob serves: only those some deployment holds (a file or a variant of one), so a node can
 * read site files and nothing else that might one day be stored by hash.
 */
public final class SiteBlobs implements BlobFetch.Blobs {
    private final Database db;

    public SiteBlobs(Database db) {
        this.db = requireNonNull(db, "db");
    }

    @Override
    public long size(String sha256) {
        return db.consistentRead(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT b.size FROM site_blobs b
                    WHERE b.sha256 = ? AND EXISTS (SELECT 1 FROM site_deployment_blobs d WHERE d.sha256 = b.sha256)""")) {
                ps.setString(1, sha256);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : -1L;
                }
            }
        });
    }

    @Override
    public byte[] read(String sha256, long offset, int length) {
        return db.consistentRead(c -> {
            // substring on bytea counts from 1; with EXTERNAL storage PostgreSQL reads only this slice
            try (PreparedStatement ps = c.prepareStatement("SELECT substring(content FROM ? FOR ?) FROM site_blobs WHERE sha256 = ?")) {
                ps.setInt(1, Math.toIntExact(offset + 1)); // blobs are under 2 GiB (SiteLimits)
                ps.setInt(2, length);
                ps.setString(3, sha256);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getBytes(1) : new byte[0];
                }
            }
        });
    }
}
