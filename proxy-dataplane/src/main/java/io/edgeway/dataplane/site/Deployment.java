package io.edgeway.dataplane.site;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * The active deployment of one site: its files by manifest path (relative, no leading {@code /}).
 * {@code lastModified} is the deployment's time as an HTTP-date, made once here rather than per request;
 * {@code heads} holds each file's answer head once made (see {@link FileHeads}).
 */
public record Deployment(String site, String id, long createdAtMs, String lastModified, Map<String, SiteFile> files,
        SiteBlobs blobs, FileHeads heads) {
    public Deployment {
        requireNonNull(site, "site");
        requireNonNull(id, "id");
        requireNonNull(lastModified, "lastModified");
        files = Map.copyOf(requireNonNull(files, "files"));
        requireNonNull(blobs, "blobs");
        heads = heads != null ? heads : new FileHeads();
    }

    /** A deployment whose answers' heads are made as its files are first asked for. */
    public Deployment(String site, String id, long createdAtMs, String lastModified, Map<String, SiteFile> files,
            SiteBlobs blobs) {
        this(site, id, createdAtMs, lastModified, files, blobs, null);
    }

    public SiteFile file(String path) {
        return files.get(path);
    }
}
