package io.edgeway.controlplane.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.edgeway.controlplane.store.Actor;
import io.edgeway.controlplane.store.TokenStore;
import io.edgeway.controlplane.store.TokenStore.Token;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bearer-token checks for every request. Deny by default: only the paths listed as public skip them, so a
 * route added later is protected without anyone remembering to protect it. Reads (GET, HEAD) need any
 * token; everything else needs an admin token.
 */
final class Auth {
    /** Health for load balancers, the API description, and the web page's own files (the page asks for a token). */
    static final Set<String> PUBLIC = Set.of("/healthz", "/api/v1/openapi.yaml", "/", "/index.html", "/app.css");
    static final String TOKEN_ATTRIBUTE = "edgeway.token";
    private static final Set<String> READS = Set.of("GET", "HEAD");
    private static final Logger audit = LoggerFactory.getLogger("edgeway.audit");

    private final TokenStore tokens;

    Auth(TokenStore tokens) {
        this.tokens = requireNonNull(tokens, "tokens");
    }

    /** A before-handler: lets the request on, or throws the 401/403 that stops it. */
    void check(Context ctx) {
        Actor.set(null); // Jetty reuses threads: never let a previous request's actor leak into this one
        if (PUBLIC.contains(ctx.path()) || SecurityHeaders.isUiModule(ctx.path())) {
            return;
        }
        String presented = bearer(ctx.header("Authorization"));
        Optional<Token> token = presented == null ? Optional.empty() : tokens.authenticate(presented);
        if (token.isEmpty()) {
            String reason = ctx.header("Authorization") == null ? "missing" : presented == null ? "not-bearer" : "unknown-token";
            record(ctx, reason, null);
            throw ApiException.unauthorized("Authorization: " + (presented == null ? "missing" : "unknown token")
                    + " (expected: Bearer <admin token>)");
        }
        Token t = token.get();
        if (!READS.contains(ctx.method().name()) && !t.isAdmin()) {
            record(ctx, "read-only-token-on-write", t.name());
            throw ApiException.forbidden("token " + t.name() + ": role " + t.role() + " (expected: admin, to " + ctx.method().name() + ")");
        }
        ctx.attribute(TOKEN_ATTRIBUTE, t);
        Actor.set(t.name());
    }

    private static String bearer(String header) {
        if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = header.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    /** Failed attempts, one JSON object per line, for whoever watches for token guessing. */
    private static void record(Context ctx, String reason, String tokenName) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("event", "admin_auth_failed");
        event.put("reason", reason);
        event.put("method", ctx.method().name());
        event.put("path", ctx.path());
        event.put("remote", ctx.ip());
        if (tokenName != null) {
            event.put("token", tokenName);
        }
        try {
            audit.warn(RequestJson.MAPPER.writeValueAsString(event));
        } catch (JsonProcessingException e) {
            audit.warn("admin_auth_failed {} {} {}", reason, ctx.method(), ctx.path());
        }
    }
}
