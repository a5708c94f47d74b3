package io.edgeway.dataplane.accesslog;

import java.util.Locale;
import java.util.Map;

/**
 * Where access log lines go and how: {@code EDGEWAY_ACCESS_LOG} = {@code off} (the default), {@code stdout} or a
 * file path; {@code EDGEWAY_ACCESS_LOG_FORMAT} = {@code json} (default) or {@code combined} (nginx's);
 * {@code EDGEWAY_ACCESS_LOG_MAX_SIZE} bytes before a file rotates (default 100 MiB), {@code EDGEWAY_ACCESS_LOG_KEEP}
 * rotated files kept (default 5), {@code EDGEWAY_ACCESS_LOG_QUEUE} lines the writer may fall behind before lines
 * are dropped and counted (default 65536).
 */
public record AccessLogSettings(String destination, Format format, long maxBytes, int keep, int queue) {
    public static final AccessLogSettings OFF = new AccessLogSettings("off", Format.JSON, 100L << 20, 5, 65_536);

    public enum Format { JSON, COMBINED }

    public AccessLogSettings {
        if (destination == null || destination.isBlank()) {
            throw new IllegalArgumentException("EDGEWAY_ACCESS_LOG: empty (expected: off, stdout or a file path)");
        }
        if (format == null) {
            throw new IllegalArgumentException("EDGEWAY_ACCESS_LOG_FORMAT: missing (expected: json or combined)");
        }
        if (maxBytes < 1024) {
            throw new IllegalArgumentException("EDGEWAY_ACCESS_LOG_MAX_SIZE: " + maxBytes + " (expected: >= 1024)");
        }
        if (keep < 1 || keep > 100) {
            throw new IllegalArgumentException("EDGEWAY_ACCESS_LOG_KEEP: " + keep + " (expected: 1-100)");
        }
        if (queue < 1 || queue > 1 << 24) {
            throw new IllegalArgumentException("EDGEWAY_ACCESS_LOG_QUEUE: " + queue + " (expected: 1-16777216)");
        }
    }

    public boolean on() {
        return !destination.equals("off");
    }

    public static AccessLogSettings from(Map<String, String> env) {
        String format = env.getOrDefault("EDGEWAY_ACCESS_LOG_FORMAT", "json").toLowerCase(Locale.ROOT);
        Format f = switch (format) {
            case "json" -> Format.JSON;
            case "combined" -> Format.COMBINED;
            default -> throw new IllegalArgumentException("EDGEWAY_ACCESS_LOG_FORMAT: '" + format
                    + "' (expected: json or combined)");
        };
        return new AccessLogSettings(env.getOrDefault("EDGEWAY_ACCESS_LOG", "off"), f,
                number(env, "EDGEWAY_ACCESS_LOG_MAX_SIZE", OFF.maxBytes()),
                (int) number(env, "EDGEWAY_ACCESS_LOG_KEEP", OFF.keep()),
                (int) number(env, "EDGEWAY_ACCESS_LOG_QUEUE", OFF.queue()));
    }

    public AccessLogSettings to(String destination) {
        return new AccessLogSettings(destination, format, maxBytes, keep, queue);
    }

    public AccessLogSettings withQueue(int queue) {
        return new AccessLogSettings(destination, format, maxBytes, keep, queue);
    }

    public AccessLogSettings withFormat(Format format) {
        return new AccessLogSettings(destination, format, maxBytes, keep, queue);
    }

    public AccessLogSettings withMaxBytes(long maxBytes, int keep) {
        return new AccessLogSettings(destination, format, maxBytes, keep, queue);
    }

    private static long number(Map<String, String> env, String name, long dflt) {
        String v = env.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": '" + v + "' (expected: a number)");
        }
    }
}
