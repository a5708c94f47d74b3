package io.edgeway.controlplane.site;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** One immutable upload of a site: its files by path. What a proxy serves is a site's active deployment. */
public record Deployment(UUID id, String site, Instant createdAt, String actor, List<SiteFile> files) {
    public Deployment {
        requireNonNull(id, "id");
        requireNonNull(site, "site");
        requireNonNull(createdAt, "createdAt");
        files = List.copyOf(files);
    }

    public long totalSize() {
        return files.stream().mapToLong(SiteFile::size).sum();
    }

    @Override
    public String toString() { // a manifest may list thousands of files
        return "Deployment[" + site + " " + id + ", " + files.size() + " files]";
    }
}
