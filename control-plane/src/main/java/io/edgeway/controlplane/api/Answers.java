package io.edgeway.controlplane.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgeway.controlplane.model.Stored;
import io.edgeway.controlplane.store.IdempotencyStore;
import io.edgeway.controlplane.store.Written;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * How the admin API reads an entity request and answers it: the JSON body, the ETag and revision headers,
 * If-Match, lists with paging. One place, so every resource answers the same way.
 */
final class Answers {
    private Answers() {}

    static ObjectNode body(Context ctx) {
        return RequestJson.object(ctx.header("Content-Type"), ctx.bodyAsBytes());
    }

    /** Answers a write of one entity; returns what was sent, so an Idempotency-Key can replay it. */
    static <T extends Stored<?>> IdempotencyStore.Saved answer(Context ctx, Written<T> written, Function<T, Map<String, Object>> view) {
        return answer(ctx, written, view, configTag());
    }

    /** As above; {@code etag} makes the ETag of the view (see {@link io.edgeway.controlplane.model.EntityTag}). */
    static <T extends Stored<?>> IdempotencyStore.Saved answer(Context ctx, Written<T> written,
            Function<T, Map<String, Object>> view, BiFunction<T, Map<String, Object>, String> etag) {
        int status = written.created() ? 201 : 200;
        Map<String, Object> shown = view.apply(written.value());
        String body = json(shown);
        ctx.header(AdminApi.REVISION_HEADER, Long.toString(written.revision()));
        ctx.header("ETag", etag.apply(written.value(), shown));
        ctx.status(status).contentType("application/json").result(body);
        return new IdempotencyStore.Saved(status, body, written.revision());
    }

    static <T extends Stored<?>> void entity(Context ctx, T stored, Function<T, Map<String, Object>> view) {
        entity(ctx, stored, view, configTag());
    }

    /**
     * As above. Javalin answers 304 itself when the ETag set here equals the request's If-None-Match, so the
     * ETag must change whenever the body does.
     */
    static <T extends Stored<?>> void entity(Context ctx, T stored, Function<T, Map<String, Object>> view,
            BiFunction<T, Map<String, Object>, String> etag) {
        Map<String, Object> shown = view.apply(stored);
        ctx.header("ETag", etag.apply(stored, shown));
        ctx.json(shown);
    }

    /** The ETag of a view that shows config only: the stored version's. */
    static <T extends Stored<?>> BiFunction<T, Map<String, Object>, String> configTag() {
        return (stored, shown) -> stored.etag();
    }

    static <T> void list(Context ctx, Function<Page, List<T>> fetch, Function<T, Map<String, Object>> view) {
        Page page = Page.of(ctx);
        ctx.json(page.body(fetch.apply(page), view));
    }

    static void deleted(Context ctx, Written<Void> written) {
        ctx.header(AdminApi.REVISION_HEADER, Long.toString(written.revision()));
        ctx.status(204);
    }

    static String ifMatch(Context ctx) {
        return ctx.header("If-Match");
    }

    /** A PATCH merges into what it read outside the write: without If-Match, that version must still be current. */
    static String patchPrecondition(Context ctx, Stored<?> read) {
        String given = ifMatch(ctx);
        return given != null ? given : read.etag();
    }

    static String json(Object value) {
        try {
            return RequestJson.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("response body not serializable", e);
        }
    }
}
