package io.edgeway.controlplane.api;

import io.javalin.http.Context;

/**
 * Headers on every answer of the admin port, the web admin's files included. The page loads only its own
 * modules and stylesheet: no inline script or style, no other origin, no framing, so an entity name that
 * somehow reached the DOM as markup could still not run script.
 */
final class SecurityHeaders {
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
            + "frame-ancestors 'none'; form-action 'self'";

    private SecurityHeaders() {}

    static void apply(Context ctx) {
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Frame-Options", "DENY");
    }

    /** The web admin's ES modules under /ui/: public like index.html (the page asks for the token itself). */
    static boolean isUiModule(String path) {
        return path.startsWith("/ui/") && path.endsWith(".js") && !path.contains("..") && !path.contains("//");
    }
}
