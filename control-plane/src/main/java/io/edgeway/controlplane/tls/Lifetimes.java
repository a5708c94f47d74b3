package io.edgeway.controlplane.tls;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations for token TTLs and certificate lifetimes: like the config's, plus days ("7d"). */
public final class Lifetimes {
    private static final Pattern SYNTAX = Pattern.compile("([0-9]{1,9})(s|m|h|d)");

    private Lifetimes() {}

    /** The duration {@code text} spells, or null if it spells none; the caller words the error for its field. */
    public static Duration parseOrNull(String text) {
        Matcher m = text == null ? null : SYNTAX.matcher(text.trim());
        if (m == null || !m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    public static String format(Duration d) {
        long s = d.getSeconds();
        if (s % 86400 == 0) {
            return s / 86400 + "d";
        }
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
