package io.edgeway.controlplane.model;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * Input that is well-formed but not acceptable. Carries every error found, not just the first, so an
 * operator fixes a request in one round trip.
 */
public final class ValidationException extends IllegalArgumentException {
    private final List<FieldError> errors;

    public ValidationException(List<FieldError> errors) {
        super(summary(errors));
        this.errors = List.copyOf(errors);
    }

    public ValidationException(String field, String message) {
        this(List.of(new FieldError(field, message)));
    }

    public List<FieldError> errors() {
        return errors;
    }

    /** The same errors with their fields placed under {@code prefix}, e.g. {@code targets[2]}. */
    public List<FieldError> under(String prefix) {
        requireNonNull(prefix, "prefix");
        return errors.stream().map(e -> e.under(prefix)).toList();
    }

    private static String summary(List<FieldError> errors) {
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("errors: empty (expected: at least one)");
        }
        return errors.stream().map(FieldError::message).reduce((a, b) -> a + "; " + b).orElseThrow();
    }

    /** Collects errors while a record checks its fields, then throws them together. */
    static final class Collector {
        private final List<FieldError> errors = new ArrayList<>();

        void check(boolean ok, String field, String message) {
            if (!ok) {
                errors.add(new FieldError(field, message));
            }
        }

        void throwIfAny() {
            if (!errors.isEmpty()) {
                throw new ValidationException(errors);
            }
        }
    }
}
