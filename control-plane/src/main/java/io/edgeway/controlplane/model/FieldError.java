package io.edgeway.controlplane.model;

import static java.util.Objects.requireNonNull;

/**
 * One problem with one input field, e.g. {@code targets[0].port}. Messages quote the offending value; a
 * field name or message longer than {@link #MAX_CHARS} is cut there, so a 1 MiB bad value is not echoed
 * back whole (nor a 1 MiB JSON key as the field).
 */
public record FieldError(String field, String message) {
    static final int MAX_CHARS = 512;

    public FieldError {
        field = capped(requireNonNull(field, "field"));
        message = capped(requireNonNull(message, "message"));
    }

    FieldError under(String prefix) {
        return new FieldError(prefix + "." + field, message);
    }

    private static String capped(String text) {
        return text.length() <= MAX_CHARS ? text
                : text.substring(0, MAX_CHARS) + "... (" + text.length() + " characters, cut)";
    }
}
