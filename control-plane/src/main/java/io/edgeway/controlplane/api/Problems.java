package io.edgeway.controlplane.api;

import io.edgeway.controlplane.model.FieldError;
import io.edgeway.controlplane.model.ValidationException;
import io.edgeway.controlplane.site.MissingBlobsException;
import io.edgeway.controlplane.store.ConflictException;
import io.edgeway.controlplane.store.IdempotencyMismatchException;
import io.edgeway.controlplane.store.NotFoundException;
import io.edgeway.controlplane.store.PreconditionFailedException;
import io.edgeway.controlplane.store.StoreException;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every error the admin API can throw, mapped once to an RFC 9457 problem+json answer. */
final class Problems {
    private static final Logger log = LoggerFactory.getLogger(AdminApi.class);
    /** Hikari gives up after 2.5 s and the listener retries within seconds: a client may try again soon. */
    private static final String RETRY_AFTER_SECONDS = "5";

    private Problems() {}

    static void register(JavalinConfig c) {
        c.routes.exception(ApiException.class, (e, ctx) -> {
            if (e.status() == 401) {
                ctx.header("WWW-Authenticate", "Bearer realm=\"edgeway\"");
            }
            problem(ctx, e.status(), e.type(), e.title(), e.getMessage(), e.errors());
        });
        c.routes.exception(ValidationException.class, (e, ctx) ->
                problem(ctx, 422, "invalid-input", "Invalid input", e.getMessage(), e.errors()));
        c.routes.exception(ConflictException.class, (e, ctx) ->
                problem(ctx, 409, "conflict", "Conflict", e.getMessage(), List.of(new FieldError(e.field(), e.getMessage()))));
        c.routes.exception(PreconditionFailedException.class, (e, ctx) ->
                problem(ctx, 412, "precondition-failed", "Precondition failed", e.getMessage(), List.of(new FieldError("If-Match", e.getMessage()))));
        c.routes.exception(IdempotencyMismatchException.class, (e, ctx) ->
                problem(ctx, 422, "idempotency-key-reused", "Idempotency key reused", e.getMessage(),
                        List.of(new FieldError("Idempotency-Key", e.getMessage()))));
        c.routes.exception(MissingBlobsException.class, (e, ctx) ->
                problem(ctx, 409, "missing-blobs", "Files not uploaded", e.getMessage(), e.missing().stream()
                        .map(h -> new FieldError("missing", h + ": not uploaded")).toList()));
        c.routes.exception(NotFoundException.class, (e, ctx) -> problem(ctx, 404, "not-found", "Not found", e.getMessage(), List.of()));
        // Javalin's own refusals (body too large, ...) keep their 4xx status and speak problem+json too.
        c.routes.exception(HttpResponseException.class, (e, ctx) -> {
            if (e.getStatus() == 413) {
                LingeringDrain.discardRest(ctx);
            }
            problem(ctx, e.getStatus(), "http-" + e.getStatus(), HttpStatus.forStatus(e.getStatus()).getMessage(),
                    e.getMessage(), e.getStatus() == 413
                            ? List.of(new FieldError("body", "body: too large (" + e.getMessage() + ")"))
                            : List.of());
        });
        c.routes.exception(StoreException.class, (e, ctx) -> {
            // One line per request: during an outage every request fails the same way, and the listener
            // already logs the cause; the stack trace is only worth keeping at debug.
            log.warn("database unavailable serving {} {}: {}", ctx.method(), ctx.path(), e.getMessage());
            log.debug("database failure", e);
            ctx.header("Retry-After", RETRY_AFTER_SECONDS);
            problem(ctx, 503, "database-unavailable", "Database unavailable", "the database could not be reached; retry", List.of());
        });
        c.routes.exception(Exception.class, (e, ctx) -> {
            log.error("unexpected failure serving {} {}", ctx.method(), ctx.path(), e);
            problem(ctx, 500, "internal-error", "Internal error", "unexpected failure; see the control plane log", List.of());
        });
    }

    private static void problem(Context ctx, int status, String type, String title, String detail, List<FieldError> errors) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "urn:edgeway:problem:" + type);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        body.put("instance", ctx.path());
        if (!errors.isEmpty()) {
            body.put("errors", errors.stream().map(e -> Map.of("field", e.field(), "message", e.message())).toList());
        }
        ctx.status(status).contentType("application/problem+json").result(Answers.json(body));
    }
}
