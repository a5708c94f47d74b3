package io.edgeway.dataplane.site;

import io.edgeway.dataplane.config.ConfigError;
import io.edgeway.proto.v1.Snapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the config client asks about a snapshot's sites before applying it: which blobs to fetch, whom a failure names. */
public final class SiteDistribution {
    private SiteDistribution() {}

    /** The blobs (hash → size) {@code snapshot} names that are not on disk yet; malformed hashes are left to validation. */
    public static Map<String, Long> missing(Snapshot snapshot, SiteBlobs blobs) {
        Map<String, Long> missing = new LinkedHashMap<>();
        Sites.blobsOf(snapshot).forEach((sha, size) -> {
            if (SiteBlobs.SHA256.matcher(sha).matches() && size >= 0 && !blobs.has(new SiteFile.Blob(sha, size))) {
                missing.put(sha, size);
            }
        });
        return missing;
    }

    /** One error per site and failed blob, naming the file, so the Nack says which site could not be deployed. */
    public static List<ConfigError> errors(Snapshot snapshot, Map<String, String> failures) {
        List<ConfigError> errors = new ArrayList<>();
        for (io.edgeway.proto.v1.SiteDeployment d : snapshot.getSitesList()) {
            for (int i = 0; i < d.getFilesCount(); i++) {
                io.edgeway.proto.v1.SiteFile f = d.getFiles(i);
                for (String sha : new String[] {f.getSha256(), f.getGzipSha256(), f.getBrSha256()}) {
                    String why = sha.isEmpty() ? null : failures.get(sha);
                    if (why != null) {
                        errors.add(new ConfigError("site", d.getSite(), "files[" + i + "]",
                                "'" + f.getPath() + "': blob " + sha + " could not be fetched: " + why));
                    }
                }
            }
        }
        return errors;
    }
}
