package io.edgeway.dataplane.site;

import static java.util.Objects.requireNonNull;

/** A route's static-site action: the site whose active deployment it serves, and whether SPA fallback is on. */
public record RouteSite(String name, boolean spa) {
    public RouteSite {
        requireNonNull(name, "name");
    }
}
