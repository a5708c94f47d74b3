package io.edgeway.dataplane.site;

import static java.util.Objects.requireNonNull;

import io.edgeway.dataplane.config.ConfigError;
import io.edgeway.proto.v1.Snapshot;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The active deployment of every site in one snapshot, by site name; parsed and checked once at the edge. */
public record Sites(Map<String, Deployment> deployments) {
    public static final Sites NONE = new Sites(Map.of());

    public Sites {
        deployments = Map.copyOf(requireNonNull(deployments, "deployments"));
    }

    public Deployment get(String site) {
        return deployments.get(site);
    }

    /** The names (hashes) of every blob these deployments use: what garbage collection keeps. */
    public java.util.Set<String> blobNames() {
        java.util.Set<String> all = new java.util.HashSet<>();
        for (Deployment d : deployments.values()) {
            for (SiteFile f : d.files().values()) {
                all.add(f.identity().sha256());
                if (f.gzip() != null) {
                    all.add(f.gzip().sha256());
                }
                if (f.br() != null) {
                    all.add(f.br().sha256());
                }
            }
        }
        return all;
    }

    /**
     * Every deployment of {@code snapshot}, with each error collected in {@code errors} (entity "site"). A file
     * whose blob is not in {@code blobs} is an error: a proxy applies a deployment only once it holds all of it.
     */
    public static Sites from(Snapshot snapshot, SiteBlobs blobs, List<ConfigError> errors) {
        Map<String, Deployment> out = new HashMap<>();
        for (int i = 0; i < snapshot.getSitesCount(); i++) {
            io.edgeway.proto.v1.SiteDeployment d = snapshot.getSites(i);
            String name = d.getSite().isEmpty() ? "#" + i : d.getSite();
            int before = errors.size();
            if (d.getSite().isEmpty()) {
                errors.add(new ConfigError("site", name, "site", "must not be empty"));
            } else if (out.containsKey(d.getSite())) {
                errors.add(new ConfigError("site", name, "site", "duplicate site in the snapshot"));
            }
            if (d.getDeploymentId().isEmpty()) {
                errors.add(new ConfigError("site", name, "deployment_id", "must not be empty"));
            }
            Map<String, SiteFile> files = new LinkedHashMap<>();
            for (int f = 0; f < d.getFilesCount(); f++) {
                SiteFile file = file(d.getFiles(f), name, "files[" + f + "]", blobs, errors);
                if (file != null && files.putIfAbsent(file.path(), file) != null) {
                    errors.add(new ConfigError("site", name, "files[" + f + "].path", "'" + file.path() + "' appears twice"));
                }
            }
            if (errors.size() == before) {
                out.put(d.getSite(), new Deployment(d.getSite(), d.getDeploymentId(), d.getCreatedAtMs(),
                        httpDate(d.getCreatedAtMs()), files, blobs));
            }
        }
        return new Sites(out);
    }

    private static SiteFile file(io.edgeway.proto.v1.SiteFile f, String site, String field, SiteBlobs blobs,
            List<ConfigError> errors) {
        int before = errors.size();
        String why = ManifestPaths.invalid(f.getPath());
        if (why != null) {
            errors.add(new ConfigError("site", site, field + ".path", "'" + f.getPath() + "' " + why));
        }
        if (f.getContentType().isEmpty() || f.getContentType().chars().anyMatch(c -> c < 0x20 || c > 0x7e)) {
            errors.add(new ConfigError("site", site, field + ".content_type", "must be a printable media type"));
        }
        SiteFile.Blob identity = blob(f.getSha256(), f.getSize(), false, site, field, blobs, errors);
        SiteFile.Blob gzip = blob(f.getGzipSha256(), f.getGzipSize(), true, site, field + ".gzip", blobs, errors);
        SiteFile.Blob br = blob(f.getBrSha256(), f.getBrSize(), true, site, field + ".br", blobs, errors);
        if (errors.size() != before) {
            return null;
        }
        return new SiteFile(f.getPath(), identity, f.getContentType(), gzip, br, SiteFile.looksHashed(f.getPath()));
    }

    private static SiteFile.Blob blob(String sha256, long size, boolean optional, String site, String field,
            SiteBlobs blobs, List<ConfigError> errors) {
        if (optional && sha256.isEmpty()) {
            return null;
        }
        if (!SiteBlobs.SHA256.matcher(sha256).matches()) {
            errors.add(new ConfigError("site", site, field + ".sha256", "'" + sha256 + "' (expected: 64 lower-case hex digits)"));
            return null;
        }
        if (size < 0) {
            errors.add(new ConfigError("site", site, field + ".size", size + " (expected: >= 0)"));
            return null;
        }
        SiteFile.Blob blob = new SiteFile.Blob(sha256, size);
        if (!blobs.has(blob)) {
            errors.add(new ConfigError("site", site, field + ".sha256", "blob " + sha256 + " is not on this proxy"));
            return null;
        }
        return blob;
    }

    /** Every blob {@code snapshot} names, with its size: what a proxy must hold before applying it. */
    public static Map<String, Long> blobsOf(Snapshot snapshot) {
        Map<String, Long> all = new LinkedHashMap<>();
        for (io.edgeway.proto.v1.SiteDeployment d : snapshot.getSitesList()) {
            for (io.edgeway.proto.v1.SiteFile f : d.getFilesList()) {
                all.putIfAbsent(f.getSha256(), f.getSize());
                if (!f.getGzipSha256().isEmpty()) {
                    all.putIfAbsent(f.getGzipSha256(), f.getGzipSize());
                }
                if (!f.getBrSha256().isEmpty()) {
                    all.putIfAbsent(f.getBrSha256(), f.getBrSize());
                }
            }
        }
        return all;
    }

    static String httpDate(long epochMs) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochMilli(epochMs - Math.floorMod(epochMs, 1000))
                .atZone(ZoneOffset.UTC));
    }
}
