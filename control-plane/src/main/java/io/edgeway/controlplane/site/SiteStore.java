package io.edgeway.controlplane.site;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.FieldError;
import io.edgeway.controlplane.model.RouteSite;
import io.edgeway.controlplane.model.ValidationException;
import io.edgeway.controlplane.store.Actor;
import io.edgeway.controlplane.store.Database;
import io.edgeway.controlplane.store.NotFoundException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Deployments and blobs: a manifest arrives first and is answered with the hashes the store lacks, so a
 * client uploads only those; each upload is verified against its hash before anything is kept. Neither
 * changes what the proxies serve (see {@link SiteActivation} for that).
 */
public final class SiteStore {
    static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** A new deployment and the hashes (of its files) still to be uploaded before it can be activated. */
    public record Created(Deployment deployment, List<String> missing) {}

    private final Database db;
    private final SiteLimits limits;

    public SiteStore(Database db, SiteLimits limits) {
        this.db = requireNonNull(db, "db");
        this.limits = requireNonNull(limits, "limits");
    }

    public SiteLimits limits() {
        return limits;
    }

    Database db() {
        return db;
    }

    /** Checks the manifest (every problem at once, 422), creates the site on its first deployment, stores the manifest. */
    public Created createDeployment(String site, List<SiteFile> files) {
        checkSiteName(site);
        checkManifest(files);
        UUID id = UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS); // what PostgreSQL keeps, and the files' Last-Modified
        Deployment d = new Deployment(id, site, now, Actor.current(), files);
        return db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO sites (name, id) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")) {
                ps.setString(1, site);
                ps.setObject(2, UUID.randomUUID());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO site_deployments (id, site, created_at, actor, manifest, file_count, total_size)
                    VALUES (?, ?, ?, ?, ?::jsonb, ?, ?)""")) {
                ps.setObject(1, id);
                ps.setString(2, site);
                ps.setObject(3, java.time.OffsetDateTime.ofInstant(now, java.time.ZoneOffset.UTC));
                ps.setString(4, d.actor());
                ps.setString(5, SiteRows.manifestJson(files));
                ps.setInt(6, files.size());
                ps.setLong(7, d.totalSize());
                ps.executeUpdate();
            }
            checkStoredSizes(c, files);
            holds(c, id, files.stream().map(f -> new Held(f.sha256(), f.size())).toList());
            return new Created(d, SiteRows.missing(c, files.stream().map(SiteFile::sha256).toList()));
        });
    }

    record Held(String sha256, long size) {}

    /** A hash names one content, so one size: a manifest that lists a stored blob with another size is wrong (422). */
    private static void checkStoredSizes(Connection c, List<SiteFile> files) throws SQLException {
        java.util.Map<String, Long> stored = new java.util.HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT sha256, size FROM site_blobs WHERE sha256 = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("text", files.stream().map(SiteFile::sha256).distinct().toArray(String[]::new)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stored.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < files.size() && errors.size() < 100; i++) {
            Long size = stored.get(files.get(i).sha256());
            if (size != null && size != files.get(i).size()) {
                errors.add(new FieldError("files[" + i + "].size", "files[" + i + "].size: " + files.get(i).size()
                        + " (expected: " + size + ", the size of the stored content with this sha256)"));
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
    }

    /** Records that deployment {@code id} holds these blobs: what FetchBlob may serve and uploads may fill. */
    static void holds(Connection c, UUID id, List<Held> blobs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO site_deployment_blobs (deployment, sha256, size) VALUES (?, ?, ?)
                ON CONFLICT DO NOTHING""")) {
            for (Held h : blobs) {
                ps.setObject(1, id);
                ps.setString(2, h.sha256());
                ps.setLong(3, h.size());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * Keeps {@code content} as the blob {@code sha256} once it hashes to exactly that and some deployment lists
     * it with this size (422 otherwise, and nothing is kept). Returns whether it was new.
     */
    public boolean putBlob(String sha256, byte[] content) {
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw new ValidationException("sha256", "sha256: " + sha256 + " (expected: 64 lower-case hex digits)");
        }
        String actual = sha256(content);
        if (!actual.equals(sha256)) {
            throw new ValidationException("body", "body: its SHA-256 is " + actual + " (expected: " + sha256
                    + ", the hash in the path; nothing was kept)");
        }
        return db.transaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT 1 FROM site_deployment_blobs WHERE sha256 = ? AND size = ? LIMIT 1")) {
                ps.setString(1, sha256);
                ps.setLong(2, content.length);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new ValidationException("sha256", "sha256: " + sha256 + " of " + content.length
                                + " bytes is in no deployment's manifest (expected: POST the manifest first)");
                    }
                }
            }
            return insertBlob(c, sha256, content);
        });
    }

    static boolean insertBlob(Connection c, String sha256, byte[] content) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO site_blobs (sha256, size, content) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING")) {
            ps.setString(1, sha256);
            ps.setLong(2, content.length);
            ps.setBytes(3, content);
            return ps.executeUpdate() == 1;
        }
    }

    /** The deployment {@code id} of {@code site} (404 when it is no deployment of that site). */
    public Deployment deployment(String site, String id) {
        UUID uuid = parseId(id);
        return db.consistentRead(c -> SiteRows.deployment(c, uuid))
                .filter(d -> d.site().equals(site))
                .orElseThrow(() -> new NotFoundException("deployment", site + "/" + id));
    }

    static UUID parseId(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new NotFoundException("deployment", String.valueOf(id));
        }
    }

    static void checkSiteName(String site) {
        String problem = RouteSite.nameProblem(site);
        if (problem != null) {
            throw new ValidationException("name", "name: " + problem);
        }
    }

    private void checkManifest(List<SiteFile> files) {
        List<FieldError> errors = new ArrayList<>();
        if (files.isEmpty()) {
            errors.add(new FieldError("files", "files: empty (expected: at least one file)"));
        }
        if (files.size() > limits.maxFiles()) {
            errors.add(new FieldError("files", "files: " + files.size() + " (expected: at most " + limits.maxFiles()
                    + ", EDGEWAY_SITE_MAX_FILES)"));
        }
        Set<String> paths = new HashSet<>();
        java.util.Map<String, Long> sizeOf = new java.util.HashMap<>();
        long total = 0;
        for (int i = 0; i < files.size() && errors.size() < 100; i++) {
            SiteFile f = files.get(i);
            String at = "files[" + i + "]";
            String problem = SitePaths.problem(f.path());
            if (problem != null) {
                errors.add(new FieldError(at + ".path", at + ".path: " + abbreviate(f.path()) + ": " + problem));
            } else if (!paths.add(f.path())) {
                errors.add(new FieldError(at + ".path", at + ".path: " + f.path() + " (expected: each path once)"));
            }
            if (!SHA256.matcher(f.sha256()).matches()) {
                errors.add(new FieldError(at + ".sha256", at + ".sha256: " + f.sha256() + " (expected: 64 lower-case hex digits)"));
            }
            Long sameHash = sizeOf.putIfAbsent(f.sha256(), f.size());
            if (sameHash != null && sameHash != f.size()) {
                errors.add(new FieldError(at + ".size", at + ".size: " + f.size() + " (expected: " + sameHash
                        + ", the size another file with the same sha256 has)"));
            }
            if (f.size() < 0 || f.size() > limits.maxFileBytes()) {
                errors.add(new FieldError(at + ".size", at + ".size: " + f.size() + " (expected: 0-" + limits.maxFileBytes()
                        + " bytes, EDGEWAY_SITE_MAX_FILE_SIZE)"));
            }
            total += Math.max(0, f.size());
        }
        if (total > limits.maxDeploymentBytes()) {
            errors.add(new FieldError("files", "files: " + total + " bytes in all (expected: at most "
                    + limits.maxDeploymentBytes() + ", EDGEWAY_SITE_MAX_DEPLOYMENT_SIZE)"));
        }
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
    }

    /** A refused path as an error message shows it: at most 100 characters of it. */
    private static String abbreviate(String path) {
        return path.length() > 100 ? path.substring(0, 97) + "..." : path;
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
