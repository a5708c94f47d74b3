package io.edgeway.controlplane.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.controlplane.model.Compression;
import io.edgeway.controlplane.model.FieldError;
import io.edgeway.controlplane.model.HeaderActions;
import io.edgeway.controlplane.model.PathRewrite;
import io.edgeway.controlplane.model.Redirect;
import io.edgeway.controlplane.model.RouteActions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a route body's actions (issue 17) strictly: wrong shapes are malformed (400) with their field path;
 * values are the model's to check (422). strip_prefix and rewrite exclude each other.
 */
final class RouteActionsRequest {
    static final Set<String> FIELDS = Set.of("redirect", "strip_prefix", "rewrite", "request_headers",
            "response_headers", "compression");
    private static final Set<String> REDIRECT = Set.of("to", "status", "keep_path");
    private static final Set<String> REWRITE = Set.of("prefix", "replace");
    private static final Set<String> HEADERS = Set.of("set", "add", "remove");
    private static final Set<String> COMPRESSION = Set.of("enabled", "types", "min_size", "level", "algorithms");

    private RouteActionsRequest() {}

    static RouteActions read(Fields f, Fields.Problems problems) {
        Fields r = f.object("redirect", REDIRECT);
        Redirect redirect = r == null ? null
                : new Redirect(r.string("to"), r.integer("status", 301, "301, 302, 303, 307 or 308"), r.bool("keep_path", false));
        String strip = f.string("strip_prefix");
        Fields rw = f.object("rewrite", REWRITE);
        PathRewrite rewrite = null;
        if (strip != null && rw != null) {
            problems.invalid.add(new FieldError("rewrite", "rewrite: set together with strip_prefix (expected: one of them)"));
        } else if (strip != null) {
            rewrite = new PathRewrite(strip, PathRewrite.STRIP);
        } else if (rw != null) {
            rewrite = new PathRewrite(rw.string("prefix"), rw.string("replace"));
        }
        Fields c = f.object("compression", COMPRESSION);
        Compression compression = c == null ? null : new Compression(c.bool("enabled", true), c.strings("types"),
                c.integer("min_size", (int) Compression.DEFAULT_MIN_SIZE, "0-1073741824 bytes"),
                c.integer("level", Compression.DEFAULT_LEVEL, "1-9"), c.strings("algorithms"));
        return new RouteActions(redirect, rewrite, headers(f, "request_headers", problems),
                headers(f, "response_headers", problems), compression);
    }

    private static HeaderActions headers(Fields f, String name, Fields.Problems problems) {
        Fields h = f.object(name, HEADERS);
        if (h == null) {
            return HeaderActions.NONE;
        }
        return new HeaderActions(map(h, "set", problems), map(h, "add", problems), h.strings("remove"));
    }

    /** {"Name": "value", ...}: an object of strings. */
    private static Map<String, String> map(Fields h, String name, Fields.Problems problems) {
        JsonNode node = h.raw(name);
        Map<String, String> out = new LinkedHashMap<>();
        String at = h.path(name);
        if (node == null) {
            return out;
        }
        if (!node.isObject()) {
            problems.malformed.add(new FieldError(at, at + ": " + node + " (expected: an object of header names and values)"));
            return out;
        }
        node.fields().forEachRemaining(e -> {
            // a scalar as its text: YAML reads `X-Retries: 3` as a number, and an export writes it so
            if (e.getValue().isValueNode() && !e.getValue().isNull()) {
                out.put(e.getKey(), e.getValue().asText());
            } else {
                String field = at + "." + e.getKey();
                problems.malformed.add(new FieldError(field, field + ": " + e.getValue() + " (expected: a string)"));
            }
        });
        return out;
    }
}
