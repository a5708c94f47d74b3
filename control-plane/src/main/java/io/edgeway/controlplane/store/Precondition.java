package io.edgeway.controlplane.store;

import io.edgeway.controlplane.model.EntityTag;
import io.edgeway.controlplane.model.Stored;

/**
 * {@code If-Match} (RFC 9110 §13.1.1), checked inside the write transaction against the locked row, so
 * two writers holding the same ETag cannot both win.
 */
final class Precondition {
    private Precondition() {}

    /** Throws unless {@code ifMatch} (the raw header, null when absent) matches {@code current} (null when missing). */
    static void check(String ifMatch, Stored<?> current) {
        if (ifMatch == null) {
            return;
        }
        if (current != null && matches(ifMatch, current.etag())) {
            return;
        }
        throw new PreconditionFailedException("If-Match: " + ifMatch + " (expected: "
                + (current == null ? "no If-Match, the resource does not exist" : current.etag() + ", the current ETag") + ")");
    }

    private static boolean matches(String header, String etag) {
        for (String candidate : header.split(",")) {
            String c = candidate.trim();
            // strong comparison: a weak W/"..." never matches for If-Match. A GET's tag may carry a digest of
            // live state (EntityTag): only its config part says which version the writer edited.
            if (c.equals("*") || EntityTag.configPart(c).equals(etag)) {
                return true;
            }
        }
        return false;
    }
}
