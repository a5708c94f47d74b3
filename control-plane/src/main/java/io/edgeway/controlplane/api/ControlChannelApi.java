package io.edgeway.controlplane.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeway.controlplane.discovery.NodeLedger;
import io.edgeway.controlplane.discovery.PeerIdentity;
import io.edgeway.controlplane.model.FieldError;
import io.edgeway.controlplane.store.JoinTokenStore;
import io.edgeway.controlplane.store.NotFoundException;
import io.edgeway.controlplane.store.TokenStore;
import io.edgeway.controlplane.tls.Lifetimes;
import io.edgeway.controlplane.tls.Revocations;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/v1/join-tokens} (create: the token is shown once; list: never secrets; delete: revoke) and
 * {@code DELETE /api/v1/nodes/{id}} (revoke a node: its streams end now, its certificates are refused).
 */
public final class ControlChannelApi {
    private static final Set<String> FIELDS = Set.of("name", "ttl");
    private static final Logger audit = LoggerFactory.getLogger("edgeway.audit");

    private final JoinTokenStore joinTokens;
    private final Revocations revocations;
    private final NodeLedger ledger;
    private final Supplier<String> caPin;

    public ControlChannelApi(JoinTokenStore joinTokens, Revocations revocations, NodeLedger ledger, Supplier<String> caPin) {
        this.joinTokens = requireNonNull(joinTokens, "joinTokens");
        this.revocations = requireNonNull(revocations, "revocations");
        this.ledger = requireNonNull(ledger, "ledger");
        this.caPin = requireNonNull(caPin, "caPin");
    }

    void create(Context ctx) {
        ObjectNode body = RequestJson.object(ctx.header("Content-Type"), ctx.bodyAsBytes());
        body.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                throw ApiException.malformed(f + ": unknown field (expected: name, ttl)", List.of(new FieldError(f, f + ": unknown field")));
            }
        });
        String name = Fields.text(body, "name");
        String ttlText = Fields.text(body, "ttl");
        Duration ttl = ttlText == null ? Duration.ofHours(24) : Lifetimes.parseOrNull(ttlText);
        if (ttl == null) {
            String detail = "ttl: " + ttlText + " (expected: a duration like 30m, 24h or 7d)";
            throw ApiException.malformed(detail, List.of(new FieldError("ttl", detail)));
        }
        JoinTokenStore.Issued issued = joinTokens.create(name, ttl, caPin.get());
        Map<String, Object> m = view(issued.token());
        m.put("token", issued.text()); // shown once: only its hash is stored
        audit(ctx, "join_token_created", name);
        ctx.status(201).json(m);
    }

    void list(Context ctx) {
        ctx.json(Map.of("data", joinTokens.list().stream().map(ControlChannelApi::view).toList()));
    }

    void delete(Context ctx) {
        String name = ctx.pathParam("name");
        joinTokens.delete(name);
        audit(ctx, "join_token_deleted", name);
        ctx.status(204);
    }

    /** Revokes node {@code id}: 404 only for a node this control plane has never seen nor issued a certificate to. */
    void revokeNode(Context ctx) {
        String id = ctx.pathParam("id");
        boolean known = ledger.get(id) != null;
        Revocations.Revoked r = revocations.revokeNode(id);
        if (!known && r.certificates() == 0) {
            throw new NotFoundException("node", id);
        }
        audit(ctx, "node_revoked", id);
        ctx.status(204);
    }

    /** What /api/v1/nodes adds to each node: who it proved to be, and until when. */
    static void identity(Map<String, Object> node, PeerIdentity identity) {
        node.put("identity", identity == null ? "unverified (insecure plaintext gRPC)" : "certificate");
        node.put("certificate_serial", identity == null ? null : identity.serial());
        node.put("certificate_expires_at", identity == null ? null : identity.certificateExpiresAt().toString());
    }

    private static Map<String, Object> view(JoinTokenStore.Token t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", t.name());
        m.put("id", t.id());
        m.put("created_at", t.createdAt().toString());
        m.put("expires_at", t.expiresAt().toString());
        return m;
    }

    private static void audit(Context ctx, String event, String name) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", event);
        m.put("name", name);
        TokenStore.Token by = ctx.attribute(Auth.TOKEN_ATTRIBUTE);
        m.put("by", by == null ? null : by.name());
        m.put("remote", ctx.ip());
        audit.info(AdminApi.json(m));
    }
}
