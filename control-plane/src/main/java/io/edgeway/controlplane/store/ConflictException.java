package io.edgeway.controlplane.store;

import static java.util.Objects.requireNonNull;

/** The write would break a uniqueness rule, e.g. a second upstream with the same name (409). */
public final class ConflictException extends RuntimeException {
    private final String field;

    public ConflictException(String field, String message) {
        super(message);
        this.field = requireNonNull(field, "field");
    }

    public String field() {
        return field;
    }
}
