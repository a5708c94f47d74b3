package io.edgeway.controlplane.discovery;

import io.edgeway.controlplane.site.Deployment;
import io.edgeway.controlplane.site.SiteFile;
import io.edgeway.proto.v1.SiteDeployment;
import io.edgeway.proto.v1.Snapshot;
import java.util.List;

/** The sites part of a snapshot: each served site's active deployment as a manifest of hashes (no content). */
final class SiteSnapshot {
    private SiteSnapshot() {}

    static void addTo(List<Deployment> sites, Snapshot.Builder b) {
        for (Deployment d : sites) {
            SiteDeployment.Builder s = SiteDeployment.newBuilder()
                    .setSite(d.site())
                    .setDeploymentId(d.id().toString())
                    .setCreatedAtMs(d.createdAt().toEpochMilli());
            for (SiteFile f : d.files()) {
                var file = io.edgeway.proto.v1.SiteFile.newBuilder()
                        .setPath(f.path()).setSha256(f.sha256()).setSize(f.size()).setContentType(f.contentType());
                if (f.gzipSha256() != null) {
                    file.setGzipSha256(f.gzipSha256()).setGzipSize(f.gzipSize());
                }
                if (f.brSha256() != null) {
                    file.setBrSha256(f.brSha256()).setBrSize(f.brSize());
                }
                s.addFiles(file);
            }
            b.addSites(s);
        }
    }
}
