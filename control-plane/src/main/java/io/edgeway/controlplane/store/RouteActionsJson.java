package io.edgeway.controlplane.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.controlplane.model.Compression;
import io.edgeway.controlplane.model.HeaderActions;
import io.edgeway.controlplane.model.PathRewrite;
import io.edgeway.controlplane.model.Redirect;
import io.edgeway.controlplane.model.RouteActions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A route's actions (redirect, strip_prefix/rewrite, request_headers, response_headers, compression) in the
 * API's JSON words: the API view shows every key (null when unused, so a PATCH merge can clear one), the document
 * and the routes.actions jsonb column only those set; {@link #read} takes either.
 */
public final class RouteActionsJson {
    public static final List<String> FIELDS = List.of("redirect", "strip_prefix", "rewrite", "request_headers",
            "response_headers", "compression");

    private RouteActionsJson() {}

    static void putView(Map<String, Object> m, RouteActions a) {
        Map<String, Object> set = doc(a);
        for (String f : FIELDS) {
            m.put(f, set.get(f));
        }
    }

    /** Only the actions in use, in the API's words. */
    public static Map<String, Object> doc(RouteActions a) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (a.redirect() != null) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("to", a.redirect().to());
            r.put("status", a.redirect().status());
            r.put("keep_path", a.redirect().keepPath());
            m.put("redirect", r);
        }
        if (a.rewrite() != null && a.rewrite().strips()) {
            m.put("strip_prefix", a.rewrite().prefix());
        } else if (a.rewrite() != null) {
            m.put("rewrite", Map.of("prefix", a.rewrite().prefix(), "replace", a.rewrite().replace()));
        }
        if (!a.requestHeaders().isEmpty()) {
            m.put("request_headers", headers(a.requestHeaders()));
        }
        if (!a.responseHeaders().isEmpty()) {
            m.put("response_headers", headers(a.responseHeaders()));
        }
        if (a.compression() != null) {
            Compression c = a.compression();
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("enabled", c.enabled());
            cm.put("types", c.types());
            cm.put("min_size", c.minSize());
            cm.put("level", c.level());
            cm.put("algorithms", c.algorithms());
            m.put("compression", cm);
        }
        return m;
    }

    static String column(RouteActions a) {
        try {
            return a.isNone() ? null : EntityJson.MAPPER.writeValueAsString(doc(a));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static RouteActions fromColumn(String json) {
        try {
            return json == null ? RouteActions.NONE : read(EntityJson.MAPPER.readTree(json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("routes.actions: " + e.getOriginalMessage(), e);
        }
    }

    /** Reads back what this class wrote (any of its shapes); unset parts stay null. */
    public static RouteActions read(JsonNode n) {
        JsonNode r = n.path("redirect");
        Redirect redirect = r.isObject() ? new Redirect(r.path("to").asText(), r.path("status").asInt(),
                r.path("keep_path").asBoolean(false)) : null;
        PathRewrite rewrite = null;
        if (n.path("strip_prefix").isTextual()) {
            rewrite = new PathRewrite(n.path("strip_prefix").asText(), PathRewrite.STRIP);
        } else if (n.path("rewrite").isObject()) {
            rewrite = new PathRewrite(n.path("rewrite").path("prefix").asText(), n.path("rewrite").path("replace").asText());
        }
        JsonNode c = n.path("compression");
        Compression compression = c.isObject() ? new Compression(c.path("enabled").asBoolean(true),
                c.has("types") ? strings(c.path("types")) : null, c.path("min_size").asLong(Compression.DEFAULT_MIN_SIZE),
                c.path("level").asInt(Compression.DEFAULT_LEVEL), c.has("algorithms") ? strings(c.path("algorithms")) : null)
                : null;
        return new RouteActions(redirect, rewrite, readHeaders(n.path("request_headers")),
                readHeaders(n.path("response_headers")), compression);
    }

    private static Map<String, Object> headers(HeaderActions h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("set", h.set());
        m.put("add", h.add());
        m.put("remove", h.remove());
        return m;
    }

    private static HeaderActions readHeaders(JsonNode h) {
        if (!h.isObject()) {
            return HeaderActions.NONE;
        }
        return new HeaderActions(map(h.path("set")), map(h.path("add")), strings(h.path("remove")));
    }

    private static Map<String, String> map(JsonNode o) {
        Map<String, String> out = new LinkedHashMap<>();
        o.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(e -> out.add(e.asText()));
        return out;
    }
}
