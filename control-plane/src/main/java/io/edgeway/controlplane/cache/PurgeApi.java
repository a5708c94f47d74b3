package io.edgeway.controlplane.cache;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeway.controlplane.api.AdminApi;
import io.edgeway.controlplane.discovery.Node;
import io.edgeway.controlplane.discovery.NodeLedger;
import io.edgeway.controlplane.model.ValidationException;
import io.edgeway.controlplane.store.CachePurgeStore;
import io.edgeway.controlplane.store.NotFoundException;
import io.edgeway.controlplane.store.Written;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code POST /api/v1/cache/purge} with exactly one of {@code {"url":"http://host/path"}},
 * {@code {"prefix":"http://host/p"}} or {@code {"tag":"product-42"}}, and {@code GET /api/v1/cache/purges/{id}}:
 * which proxies applied it (acked the revision the purge was committed as) and which have not yet.
 * {@code ?wait=applied} on the POST waits like any config write (the answer carries Edgeway-Revision).
 */
public final class PurgeApi {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("url", "prefix", "tag");
    private static final Pattern TAG = Pattern.compile("[\\x21-\\x7e&&[^,]]{1,256}");

    private final CachePurgeStore store;
    private final NodeLedger ledger;

    public PurgeApi(CachePurgeStore store, NodeLedger ledger) {
        this.store = requireNonNull(store, "store");
        this.ledger = requireNonNull(ledger, "ledger");
    }

    public void create(Context ctx) {
        JsonNode body;
        try {
            body = MAPPER.readTree(ctx.body());
        } catch (JacksonException e) {
            throw new BadRequestResponse("body: not JSON");
        }
        if (body == null || !body.isObject()) {
            throw new BadRequestResponse("body: expected a JSON object with one of url, prefix, tag");
        }
        List<String> given = new ArrayList<>();
        body.fieldNames().forEachRemaining(given::add);
        for (String f : given) {
            if (!FIELDS.contains(f)) {
                throw new ValidationException(f, f + ": unknown field (expected: one of url, prefix, tag)");
            }
        }
        if (given.size() != 1 || !body.get(given.get(0)).isTextual()) {
            throw new ValidationException("body", "body: " + given + " (expected: exactly one of url, prefix, tag, a string)");
        }
        String kind = given.get(0);
        String text = body.get(kind).asText();
        String value = kind.equals("tag") ? tag(text) : hostAndPath(kind, text, kind.equals("url"));
        Written<CachePurgeStore.Purge> w = store.create(kind, value);
        ctx.header(AdminApi.REVISION_HEADER, Long.toString(w.revision()));
        ctx.status(201).contentType("application/json").result(json(view(w.value())));
    }

    public void get(Context ctx) {
        long id;
        try {
            id = Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw new NotFoundException("cache purge", ctx.pathParam("id"));
        }
        CachePurgeStore.Purge p = store.find(id).orElseThrow(() -> new NotFoundException("cache purge", ctx.pathParam("id")));
        ctx.contentType("application/json").result(json(view(p)));
    }

    /** The purge, and where each proxy the ledger knows stands with it. */
    private Map<String, Object> view(CachePurgeStore.Purge p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id());
        m.put(p.kind(), p.value());
        m.put("revision", p.revision());
        m.put("created_at", p.createdAt().toString());
        List<String> applied = new ArrayList<>();
        List<String> pending = new ArrayList<>();
        List<String> disconnected = new ArrayList<>();
        for (Node n : ledger.list()) {
            if (n.appliedVersion() >= p.revision()) {
                applied.add(n.id());
            } else if (n.connected()) {
                pending.add(n.id());
            } else {
                disconnected.add(n.id()); // gets it with the snapshot it reconnects to
            }
        }
        m.put("applied", applied);
        m.put("pending", pending);
        m.put("disconnected", disconnected);
        return m;
    }

    /** "host/path?query" of an http(s) URL, the host lower case and without port, as the proxies key it. */
    static String hostAndPath(String field, String text, boolean whole) {
        URI u;
        try {
            u = new URI(text);
        } catch (URISyntaxException e) {
            throw new ValidationException(field, field + ": " + text + " (expected: an http:// or https:// URL)");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null || u.getRawFragment() != null) {
            throw new ValidationException(field, field + ": " + text + " (expected: an http:// or https:// URL with a host)");
        }
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? (whole ? "/" : "") : u.getRawPath();
        String query = u.getRawQuery() == null ? "" : "?" + u.getRawQuery();
        return u.getHost().toLowerCase(Locale.ROOT) + path + query;
    }

    private static String tag(String text) {
        if (!TAG.matcher(text).matches()) {
            throw new ValidationException("tag", "tag: " + text + " (expected: 1-256 visible characters, no comma or space)");
        }
        return text;
    }

    private static String json(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JacksonException e) {
            throw new IllegalStateException(e);
        }
    }
}
