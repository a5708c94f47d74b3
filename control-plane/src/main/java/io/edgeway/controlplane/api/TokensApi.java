package io.edgeway.controlplane.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeway.controlplane.model.FieldError;
import io.edgeway.controlplane.store.TokenStore;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code /api/v1/tokens}: create (the secret is shown once), list (never secrets), revoke. */
final class TokensApi {
    private static final java.util.Set<String> FIELDS = java.util.Set.of("name", "role");

    private static final Logger audit = LoggerFactory.getLogger("edgeway.audit");

    private final TokenStore tokens;

    TokensApi(TokenStore tokens) {
        this.tokens = requireNonNull(tokens, "tokens");
    }

    void list(Context ctx) {
        ctx.json(Map.of("data", tokens.list().stream().map(TokensApi::view).toList()));
    }

    void create(Context ctx) {
        ObjectNode body = RequestJson.object(ctx.header("Content-Type"), ctx.bodyAsBytes());
        body.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                throw ApiException.malformed(f + ": unknown field (expected: name, role)", List.of(new FieldError(f, f + ": unknown field")));
            }
        });
        TokenStore.Issued issued = tokens.create(Fields.text(body, "name"), Fields.text(body, "role"));
        Map<String, Object> m = view(issued.token());
        m.put("token", issued.secret()); // shown once: only its hash is stored
        audit(ctx, "admin_token_created", issued.token().name(), issued.token().role());
        ctx.status(201).json(m);
    }

    void delete(Context ctx) {
        String name = ctx.pathParam("name");
        tokens.delete(name);
        audit(ctx, "admin_token_deleted", name, null);
        ctx.status(204);
    }

    /** Who gave or took away access, next to the failed attempts in the same audit stream. */
    private static void audit(Context ctx, String event, String name, String role) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", event);
        m.put("name", name);
        if (role != null) {
            m.put("role", role);
        }
        TokenStore.Token by = ctx.attribute(Auth.TOKEN_ATTRIBUTE);
        m.put("by", by == null ? null : by.name());
        m.put("remote", ctx.ip());
        audit.info(AdminApi.json(m));
    }

    private static Map<String, Object> view(TokenStore.Token t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", t.name());
        m.put("role", t.role());
        m.put("created_at", t.createdAt().toString());
        return m;
    }
}
