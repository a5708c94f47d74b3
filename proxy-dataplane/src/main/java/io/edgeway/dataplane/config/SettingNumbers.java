package io.edgeway.dataplane.config;

import java.util.Map;

/**
 * The proxy's whole-number settings from the environment and their range checks, with one wording for every
 * setting: {@code "EDGEWAY_MAX_URI_SIZE: lots (expected: a number of bytes)"}, {@code "maxUriSize: 10 (expected:
 * 256-1048576)"}. A bad value stops the proxy at start, naming the setting, rather than being guessed at.
 */
public final class SettingNumbers {
    private SettingNumbers() {}

    /**
     * The setting {@code name} from {@code env} as an int, or {@code fallback} when it is unset or blank;
     * {@code expected} says what it should have been when it is not a whole number.
     */
    public static int fromEnv(Map<String, String> env, String name, int fallback, String expected) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": " + v + " (expected: " + expected + ")");
        }
    }

    /** Refuses {@code value} outside {@code min}-{@code max} (both included); the message names {@code name}. */
    public static void checkRange(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: " + min + "-" + max + ")");
        }
    }
}
