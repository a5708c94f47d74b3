package io.edgeway.controlplane.api;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.FieldError;
import java.util.List;

/** A request the API refuses before it reaches the store: unauthenticated (401), forbidden (403), malformed (400), unsupported media type (415). */
final class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String title;
    private final List<FieldError> errors;

    private ApiException(int status, String type, String title, String detail, List<FieldError> errors) {
        super(detail);
        this.status = status;
        this.type = requireNonNull(type, "type");
        this.title = requireNonNull(title, "title");
        this.errors = List.copyOf(errors);
    }

    static ApiException malformed(String detail, List<FieldError> errors) {
        return new ApiException(400, "malformed-request", "Malformed request", detail, errors);
    }

    static ApiException unauthorized(String detail) {
        return new ApiException(401, "unauthorized", "Unauthorized", detail, List.of());
    }

    static ApiException forbidden(String detail) {
        return new ApiException(403, "forbidden", "Forbidden", detail, List.of());
    }

    static ApiException badParameter(String name, String detail) {
        return new ApiException(400, "malformed-request", "Malformed request", detail, List.of(new FieldError(name, detail)));
    }

    /** Not ready to answer yet (e.g. before the first snapshot is built): the client may retry. */
    static ApiException unavailable(String detail) {
        return new ApiException(503, "unavailable", "Service unavailable", detail, List.of());
    }

    static ApiException unsupportedMediaType(String contentType) {
        return new ApiException(415, "unsupported-media-type", "Unsupported media type",
                "content-type: " + contentType + " (expected: application/json)", List.of());
    }

    int status() {
        return status;
    }

    String type() {
        return type;
    }

    String title() {
        return title;
    }

    List<FieldError> errors() {
        return errors;
    }
}
