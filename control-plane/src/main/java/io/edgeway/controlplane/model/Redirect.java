package io.edgeway.controlplane.model;

import java.net.URI;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A route that answers every request with a redirect to {@code to} instead of proxying it. {@code to} is an
 * absolute http(s) URL or a path starting with "/"; with {@code keepPath} the request's path after the route's
 * matched prefix and its query are appended, so {@code to} then carries no query or fragment of its own. The
 * target's scheme and host are fixed here: request data can only ever add to the path, never pick the host.
 */
public record Redirect(String to, int status, boolean keepPath) {
    public static final Set<Integer> STATUSES = Set.of(301, 302, 303, 307, 308);
    // Visible ASCII only: no spaces, CR, LF or NUL can reach the Location header from the config either.
    private static final Pattern VISIBLE = Pattern.compile("[\\x21-\\x7e]{1,2048}");

    void check(ValidationException.Collector v) {
        v.check(STATUSES.contains(status), "redirect.status",
                "redirect.status: " + status + " (expected: 301, 302, 303, 307 or 308)");
        String problem = toProblem();
        v.check(problem == null, "redirect.to", "redirect.to: " + to + " (" + problem + ")");
    }

    private String toProblem() {
        if (to == null || !VISIBLE.matcher(to).matches()) {
            return "expected: an absolute http(s) URL or a path starting with /, visible ASCII, at most 2048 characters";
        }
        if (to.startsWith("//") || to.startsWith("/\\")) {
            return "expected: a path starting with a single /; // would name another host";
        }
        if (!to.startsWith("/")) {
            try {
                URI uri = new URI(to);
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null || uri.getRawUserInfo() != null) {
                    return "expected: an absolute http or https URL with a host and no user info";
                }
            } catch (java.net.URISyntaxException e) {
                return "expected: a valid URL; " + e.getReason();
            }
        }
        if (keepPath && (to.indexOf('?') >= 0 || to.indexOf('#') >= 0)) {
            return "expected: no query or fragment when keep_path appends the request's path and query";
        }
        return to.indexOf('#') >= 0 ? "expected: no fragment" : null;
    }
}
