package io.edgeway.controlplane.model;

/**
 * What a route does besides matching (issue 17): answer with a {@link Redirect} instead of proxying, or rewrite
 * the path, change headers both ways and compress responses while proxying. Each part is null (or
 * {@link HeaderActions#NONE}) when unused; {@link #NONE} is a plain proxy route.
 */
public record RouteActions(Redirect redirect, PathRewrite rewrite, HeaderActions requestHeaders,
                           HeaderActions responseHeaders, Compression compression) {
    public static final RouteActions NONE = new RouteActions(null, null, HeaderActions.NONE, HeaderActions.NONE, null);

    public RouteActions {
        requestHeaders = requestHeaders == null ? HeaderActions.NONE : requestHeaders;
        responseHeaders = responseHeaders == null ? HeaderActions.NONE : responseHeaders;
    }

    public boolean isNone() {
        return equals(NONE);
    }

    /** Checks the parts and that a route has exactly one of upstream and redirect. */
    /** {@code hasSite}: the route serves a static site (which, like a redirect, takes the place of an upstream). */
    void check(ValidationException.Collector v, String upstream, boolean hasSite) {
        if (redirect != null) {
            redirect.check(v);
            v.check(upstream == null && !hasSite, "redirect",
                    "redirect: set together with upstream (expected: a route has exactly one of upstream, site, redirect)");
            v.check(rewrite == null && requestHeaders.isEmpty() && compression == null, "redirect",
                    "redirect: set with strip_prefix, rewrite, request_headers or compression (expected: those apply"
                            + " to proxied requests only; a redirect route may set response_headers)");
        } else {
            v.check(upstream != null || hasSite, "upstream",
                    "upstream: missing (expected: the name of an upstream, a site to serve, or a redirect)");
        }
        v.check(!hasSite || (rewrite == null && compression == null), "site",
                "site: set with strip_prefix, rewrite or compression (expected: those apply to proxied requests only)");
        if (rewrite != null) {
            rewrite.check(v);
        }
        requestHeaders.check(v, "request_headers");
        responseHeaders.check(v, "response_headers");
        if (compression != null) {
            compression.check(v);
        }
    }
}
