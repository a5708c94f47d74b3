package io.edgeway.controlplane.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeway.controlplane.model.Durations;
import io.edgeway.controlplane.model.FieldError;
import io.edgeway.controlplane.model.ValidationException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Strict reading of one JSON object: unknown fields and wrong types are recorded as malformed (400) with
 * the full field path; values that have the right type but are out of range go to {@link Problems#invalid}
 * (422) so the model's checks and these read together.
 */
final class Fields {
    /** The errors found while reading one request body. */
    static final class Problems {
        final List<FieldError> malformed = new ArrayList<>();
        final List<FieldError> invalid = new ArrayList<>();
    }

    private final JsonNode node;
    private final String prefix;
    private final Problems problems;

    Fields(JsonNode node, String prefix, Problems problems, Set<String> allowed) {
        this.node = node;
        this.prefix = prefix;
        this.problems = problems;
        if (node == null || !node.isObject()) {
            problems.malformed.add(new FieldError(prefix.isEmpty() ? "body" : prefix,
                    (prefix.isEmpty() ? "body" : prefix) + ": " + describe(node) + " (expected: an object)"));
            return;
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                problems.malformed.add(new FieldError(path(name), path(name) + ": unknown field (expected one of: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")"));
            }
        }
    }

    /** A top-level string field of a small body (tokens, join tokens): null when absent, 400 when not a string. */
    static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            String detail = field + ": " + v + " (expected: a string)";
            throw ApiException.malformed(detail, List.of(new FieldError(field, detail)));
        }
        return v.asText();
    }

    private JsonNode value(String name) {
        if (node == null || !node.isObject()) {
            return null;
        }
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? null : v;
    }

    /** The field's JSON as it is, null when absent or null: for shapes this class has no reader for. */
    JsonNode raw(String name) {
        return value(name);
    }

    boolean has(String name) {
        return value(name) != null;
    }

    boolean isString(String name) {
        JsonNode v = value(name);
        return v != null && v.isTextual();
    }

    String string(String name) {
        JsonNode v = value(name);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            malformed(path(name), v, "a string");
            return null;
        }
        return v.textValue();
    }

    /** A duration in the API's one syntax ({@link Durations}); {@code null} when absent, or when invalid (recorded, 422). */
    Duration duration(String name) {
        String text = string(name);
        if (text == null) {
            return null;
        }
        try {
            return Durations.parse(path(name), text);
        } catch (ValidationException e) {
            problems.invalid.addAll(e.errors());
            return null;
        }
    }

    /** An integer field; {@code fallback} when absent. Integers too large for int are range errors (422). */
    int integer(String name, int fallback, String expectedRange) {
        JsonNode v = value(name);
        if (v == null) {
            return fallback;
        }
        if (!v.isIntegralNumber()) {
            malformed(path(name), v, "an integer");
            return fallback;
        }
        if (!v.canConvertToInt()) {
            problems.invalid.add(new FieldError(path(name), path(name) + ": " + v + " (expected: " + expectedRange + ")"));
            return fallback;
        }
        return v.intValue();
    }

    /** An integer field that may exceed int; {@code fallback} when absent. */
    long longInteger(String name, long fallback, String expectedRange) {
        JsonNode v = value(name);
        if (v == null) {
            return fallback;
        }
        if (!v.isIntegralNumber()) {
            malformed(path(name), v, "an integer");
            return fallback;
        }
        if (!v.canConvertToLong()) {
            problems.invalid.add(new FieldError(path(name), path(name) + ": " + v + " (expected: " + expectedRange + ")"));
            return fallback;
        }
        return v.longValue();
    }

    /** A number field; {@code fallback} when absent. */
    double number(String name, double fallback) {
        JsonNode v = value(name);
        if (v == null) {
            return fallback;
        }
        if (!v.isNumber()) {
            malformed(path(name), v, "a number");
            return fallback;
        }
        return v.doubleValue();
    }

    /** A boolean field; {@code fallback} when absent. */
    boolean bool(String name, boolean fallback) {
        JsonNode v = value(name);
        if (v == null) {
            return fallback;
        }
        if (!v.isBoolean()) {
            malformed(path(name), v, "true or false");
            return fallback;
        }
        return v.booleanValue();
    }

    List<String> strings(String name) {
        JsonNode v = value(name);
        if (v == null) {
            return null;
        }
        if (!v.isArray()) {
            malformed(path(name), v, "an array of strings");
            return null;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isTextual()) {
                malformed(path(name) + "[" + i + "]", e, "a string");
            } else {
                out.add(e.textValue());
            }
        }
        return out;
    }

    List<Fields> objects(String name, Set<String> allowed) {
        JsonNode v = value(name);
        if (v == null) {
            return null;
        }
        if (!v.isArray()) {
            malformed(path(name), v, "an array of objects");
            return null;
        }
        List<Fields> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            out.add(new Fields(v.get(i), path(name) + "[" + i + "]", problems, allowed));
        }
        return out;
    }

    Fields object(String name, Set<String> allowed) {
        JsonNode v = value(name);
        return v == null ? null : new Fields(v, path(name), problems, allowed);
    }

    String path(String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    String prefix() {
        return prefix;
    }

    private void malformed(String field, JsonNode v, String expected) {
        problems.malformed.add(new FieldError(field, field + ": " + describe(v) + " (expected: " + expected + ")"));
    }

    private static String describe(JsonNode v) {
        if (v == null || v.isMissingNode()) {
            return "nothing";
        }
        String s = v.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
