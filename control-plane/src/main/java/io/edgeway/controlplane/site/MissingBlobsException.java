package io.edgeway.controlplane.site;

import java.util.List;

/** A deployment cannot be activated before every file it lists has been uploaded (409, naming them). */
public final class MissingBlobsException extends RuntimeException {
    private final List<String> missing;

    MissingBlobsException(String deployment, List<String> missing) {
        super("deployment " + deployment + ": " + missing.size() + " file(s) not uploaded yet: "
                + String.join(", ", missing.subList(0, Math.min(20, missing.size())))
                + (missing.size() > 20 ? ", ..." : "") + " (expected: PUT /api/v1/sites/blobs/{sha256} for each)");
        this.missing = List.copyOf(missing);
    }

    public List<String> missing() {
        return missing;
    }
}
