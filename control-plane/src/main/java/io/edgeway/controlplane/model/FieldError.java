package io.edgeway.controlplane.model;

import static java.util.Objects.requireNonNull;

/** One problem with one input field, e.g. {@code targets[0].port}. */
public record FieldError(String field, String message) {
    public FieldError {
        requireNonNull(field, "field");
        requireNonNull(message, "message");
    }

    FieldError under(String prefix) {
        return new FieldError(prefix + "." + field, message);
    }
}
