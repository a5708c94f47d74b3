package io.edgeway.controlplane.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeway.controlplane.discovery.Convergence;
import io.edgeway.controlplane.model.Durations;
import io.edgeway.controlplane.model.ValidationException;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code ?wait=applied&timeout=5s} on any config write: the answer waits until the connected proxies have
 * applied the write's revision (or refused it, or the timeout passed) and says which did. The wait holds
 * no Jetty thread: the response is completed from a future the node ledger resolves.
 */
final class WaitForApplied {
    static final String CONVERGED_HEADER = "Edgeway-Converged";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration MAX_TIMEOUT = Duration.ofSeconds(60);
    private static final String ATTRIBUTE = "edgeway.wait-timeout";
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    private final Convergence convergence;

    WaitForApplied(Convergence convergence) {
        this.convergence = requireNonNull(convergence, "convergence");
    }

    /** A before-handler: refuses bad parameters before anything is written. */
    void parse(Context ctx) {
        String wait = ctx.queryParam("wait");
        String timeout = ctx.queryParam("timeout");
        if (wait == null) {
            if (timeout != null) {
                throw ApiException.badParameter("timeout", "timeout: " + timeout + " (expected: only with wait=applied)");
            }
            return;
        }
        if (!wait.equals("applied")) {
            throw ApiException.badParameter("wait", "wait: " + wait + " (expected: applied)");
        }
        Duration d = DEFAULT_TIMEOUT;
        if (timeout != null) {
            try {
                d = Durations.parse("timeout", timeout);
            } catch (ValidationException e) {
                throw ApiException.badParameter("timeout", e.getMessage());
            }
            if (d.compareTo(MAX_TIMEOUT) > 0) {
                throw ApiException.badParameter("timeout", "timeout: " + timeout + " (expected: 1ms-60s)");
            }
        }
        ctx.attribute(ATTRIBUTE, d);
    }

    /** An after-handler: a successful write that asked to wait answers once the fleet has caught up. */
    void await(Context ctx) {
        Duration timeout = ctx.attribute(ATTRIBUTE);
        String revision = ctx.res().getHeader(AdminApi.REVISION_HEADER);
        if (timeout == null || revision == null || READS.contains(ctx.method().name())
                || ctx.statusCode() < 200 || ctx.statusCode() > 299) {
            return;
        }
        String body = ctx.result();
        // A canary write waits for the canary nodes only: the others are held at the previous revision.
        io.edgeway.controlplane.discovery.NodeSelector canary = ctx.attribute(RolloutParams.SELECTOR_ATTRIBUTE);
        java.util.function.Predicate<io.edgeway.controlplane.discovery.Node> among =
                canary == null ? n -> true : n -> canary.matches(n.id(), n.labels());
        ctx.future(() -> convergence.await(Long.parseLong(revision), timeout, among).thenAccept(r -> {
            ctx.header(CONVERGED_HEADER, Boolean.toString(r.converged()));
            if (ctx.statusCode() == 204) {
                ctx.status(200); // a 204 carries no body, and the body is the point of waiting
            }
            ctx.contentType("application/json").result(withConvergence(body, r));
        }));
    }

    private static String withConvergence(String body, Convergence.Result r) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("version", r.version());
        c.put("applied", r.applied());
        c.put("pending", r.pending());
        c.put("rejected", r.rejected().stream().map(x -> Map.of("node", x.node(), "error", x.error())).toList());
        c.put("disconnected", r.disconnected());
        c.put("quarantined", r.quarantined().stream().map(x -> Map.of("node", x.node(), "entities", x.entities())).toList());
        ObjectNode out = RequestJson.MAPPER.createObjectNode();
        try {
            JsonNode original = body == null || body.isBlank() ? null : RequestJson.MAPPER.readTree(body);
            if (original instanceof ObjectNode o) {
                out = o;
            }
        } catch (JsonProcessingException e) {
            // not JSON (never for writes today): answer with the convergence report alone
        }
        out.set("convergence", RequestJson.MAPPER.valueToTree(c));
        return AdminApi.json(out);
    }
}
