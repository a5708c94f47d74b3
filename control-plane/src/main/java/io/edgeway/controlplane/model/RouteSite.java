package io.edgeway.controlplane.model;

import java.util.regex.Pattern;

/**
 * A route's action when it serves a static site's files instead of proxying: the site by name, and whether a
 * path that is no file (and has no extension) answers the site's index.html, as single-page apps need.
 */
public record RouteSite(String name, boolean spa) {
    // Lower-case DNS-label characters: a site name is a URL path segment of the API and may name a directory on
    // a proxy's disk, so it has no dot, slash or case to get wrong.
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    /** A path segment of the API ({@code /api/v1/sites/blobs/{sha256}}), so never a site's name. */
    private static final String RESERVED = "blobs";

    /** Why {@code name} cannot name a site, or null when it can. */
    public static String nameProblem(String name) {
        if (name == null) {
            return "missing (expected: a site name like shop)";
        }
        if (!NAME.matcher(name).matches() || name.equals(RESERVED)) {
            return name + " (expected: 1-63 of a-z 0-9 -, starting with a letter or digit, not \"blobs\")";
        }
        return null;
    }

    void check(ValidationException.Collector v) {
        String problem = nameProblem(name);
        v.check(problem == null, "site.name", "site.name: " + problem);
    }
}
