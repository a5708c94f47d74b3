package io.edgeway.dataplane.config;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The proxy's one duration syntax for its settings: the control plane's (a whole number and a unit: "500ms",
 * "10s", "1m", "1h"), plus a bare number meaning seconds, which the client timeouts have always accepted
 * (EDGEWAY_HEADER_TIMEOUT=10), so existing environment files keep working. Zero is a valid value here
 * (EDGEWAY_DRAIN_DELAY=0s); each setting checks its own range.
 */
public final class Durations {
    private static final Pattern SYNTAX = Pattern.compile("([0-9]{1,9})(ms|s|m|h)?");

    private Durations() {}

    /** Parses {@code text}; errors name {@code setting}. */
    public static Duration parse(String setting, String text) {
        requireNonNull(setting, "setting");
        requireNonNull(text, "text");
        Matcher m = SYNTAX.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(setting + ": " + text
                    + " (expected: a duration like 500ms, 10s, 1m or 1h; a bare number is seconds)");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    /** The setting {@code name} from {@code env}, or {@code fallback} when it is unset or blank. */
    public static Duration fromEnv(Map<String, String> env, String name, Duration fallback) {
        String v = env.get(name);
        return v == null || v.isBlank() ? fallback : parse(name, v);
    }
}
