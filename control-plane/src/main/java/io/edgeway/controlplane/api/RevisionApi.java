package io.edgeway.controlplane.api;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.Config;
import io.edgeway.controlplane.model.FieldError;
import io.edgeway.controlplane.store.ConfigStore;
import io.edgeway.controlplane.store.History;
import io.edgeway.controlplane.store.NotFoundException;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The config history: revisions newest first, one revision with its diff, and rollback to any revision. */
final class RevisionApi {
    private static final int DEFAULT_SIZE = 20;
    private static final int MAX_SIZE = 100;

    private final History history;
    private final ConfigStore store;

    RevisionApi(History history, ConfigStore store) {
        this.history = requireNonNull(history, "history");
        this.store = requireNonNull(store, "store");
    }

    /** A page of revisions; {@code next} is the next page's path, or null on the last one. */
    void list(Context ctx) {
        int size = number(ctx.queryParam("size"), "size", DEFAULT_SIZE, 1, MAX_SIZE);
        int offset = number(ctx.queryParam("offset"), "offset", 0, 0, Integer.MAX_VALUE - MAX_SIZE);
        // One more than asked tells whether a next page exists without counting the whole log.
        List<History.Revision> page = history.page(size + 1, offset);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("data", page.stream().limit(size).map(RevisionApi::summary).toList());
        body.put("next", page.size() > size ? "/api/v1/revisions?size=" + size + "&offset=" + (offset + size) : null);
        ctx.json(body);
    }

    void get(Context ctx) {
        long n = revision(ctx);
        History.Revision r = history.get(n).orElseThrow(() -> new NotFoundException("revision", Long.toString(n)));
        Map<String, Object> body = head(r);
        body.put("entries", r.entries().stream().map(e -> {
            Map<String, Object> m = entry(e);
            m.put("before", e.before());
            m.put("after", e.after());
            m.put("diff", History.diff(e));
            return m;
        }).toList());
        ctx.json(body);
    }

    /**
     * Makes the config what it was right after revision n, as a new revision (or none if it already is);
     * with {@code ?dry_run=true} only answers the plan (created/updated/deleted), writing nothing.
     */
    void rollback(Context ctx) {
        long n = revision(ctx);
        Config then = history.stateAt(n).orElseThrow(() -> new NotFoundException("revision", Long.toString(n)));
        if (ConfigApi.dryRun(ctx.queryParam("dry_run"))) {
            // the plan a confirmation shows (the web admin's rollback dialog): nothing is written
            ConfigStore.Plan plan = store.plan(then, java.util.Set.of()).value();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("rolled_back_to", n);
            body.put("dry_run", true);
            body.putAll(ConfigApi.planJson(plan, plan.problems()));
            ctx.json(body);
            return;
        }
        // no keys given: every certificate gets the key stored for its leaf, which the log never holds
        ConfigApi.answer(ctx, ConfigApi.commit(store, then, Map.of()), Map.of("rolled_back_to", n));
    }

    private static Map<String, Object> summary(History.Revision r) {
        Map<String, Object> m = head(r);
        m.put("entries", r.entries().stream().map(RevisionApi::entry).toList());
        return m;
    }

    private static Map<String, Object> head(History.Revision r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("revision", r.revision());
        m.put("time", r.time());
        m.put("actor", r.actor());
        return m;
    }

    private static Map<String, Object> entry(History.Entry e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", e.kind());
        m.put("id", e.id().toString());
        m.put("name", e.name());
        m.put("action", e.action());
        return m;
    }

    private static long revision(Context ctx) {
        String raw = ctx.pathParam("n");
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            String detail = "n: " + raw + " (expected: a revision number)";
            throw ApiException.malformed(detail, List.of(new FieldError("n", detail)));
        }
    }

    private static int number(String raw, String field, int fallback, int min, int max) {
        if (raw == null) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(raw);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException e) {
            // same answer as out of range
        }
        String detail = field + ": " + raw + " (expected: " + min + "-" + max + ")";
        throw ApiException.malformed(detail, List.of(new FieldError(field, detail)));
    }
}
