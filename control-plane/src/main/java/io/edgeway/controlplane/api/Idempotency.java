package io.edgeway.controlplane.api;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.store.IdempotencyStore;
import io.javalin.http.Context;
import java.util.function.Supplier;

/**
 * POSTs with an {@code Idempotency-Key}: the key's first answer again when the same body came before (within
 * 24 h), 422 when another body did, else the write, whose answer is kept for the retries.
 *
 * <p>The answer is saved after the write commits, in its own transaction: a crash in between, or two first
 * uses of one key at the same instant, fall back to what a POST without a key does (a create then answers
 * 409 for the name it already took), never to a second write.
 */
final class Idempotency {
    static final String HEADER = "Idempotency-Key";

    private final IdempotencyStore store;

    Idempotency(IdempotencyStore store) {
        this.store = requireNonNull(store, "store");
    }

    void post(Context ctx, Supplier<IdempotencyStore.Saved> write) {
        String key = ctx.header(HEADER);
        if (key == null) {
            write.get();
            return;
        }
        var saved = store.find(key, ctx.path(), ctx.body());
        if (saved.isPresent()) {
            IdempotencyStore.Saved s = saved.get();
            if (s.revision() != null) {
                ctx.header(AdminApi.REVISION_HEADER, Long.toString(s.revision()));
                ctx.header("ETag", "\"" + s.revision() + "\"");
            }
            ctx.header("Idempotent-Replayed", "true");
            ctx.status(s.status()).contentType("application/json").result(s.body());
            return;
        }
        store.save(key, ctx.path(), ctx.body(), write.get());
    }
}
