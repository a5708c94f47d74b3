package io.edgeway.controlplane.model;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The one duration syntax of the admin API: a positive integer and a unit, e.g. "500ms", "2s", "1m", "1h". */
public final class Durations {
    private static final Pattern SYNTAX = Pattern.compile("([0-9]{1,9})(ms|s|m|h)");
    // A day is far beyond any sensible proxy timeout; capping keeps millisecond arithmetic safe.
    private static final Duration MAX = Duration.ofHours(24);

    private Durations() {}

    /** Parses {@code text}; errors name {@code field}. */
    public static Duration parse(String field, String text) {
        requireNonNull(field, "field");
        requireNonNull(text, "text");
        Matcher m = SYNTAX.matcher(text);
        if (!m.matches()) {
            throw invalid(field, text, "a duration like 500ms, 2s, 1m or 1h");
        }
        long amount = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
        if (d.isZero() || d.compareTo(MAX) > 0) {
            throw invalid(field, text, "1ms-24h");
        }
        return d;
    }

    /** The shortest exact spelling, so a value read back equals the value written. */
    public static String format(Duration d) {
        requireNonNull(d, "d");
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    private static ValidationException invalid(String field, String text, String expected) {
        String leaf = field.substring(field.lastIndexOf('.') + 1);
        return new ValidationException(field, leaf + ": " + text + " (expected: " + expected + ")");
    }
}
