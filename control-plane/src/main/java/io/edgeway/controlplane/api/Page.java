package io.edgeway.controlplane.api;

import io.javalin.http.Context;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code ?size=N&offset=M&tags=a,b&q=text} of a list request, checked once, and the {@code {"data","next"}} it
 * answers; {@code q} (name contains, any case) is null when not asked.
 */
record Page(int size, int offset, List<String> tags, String q) {
    static final int DEFAULT_SIZE = 100;
    static final int MAX_SIZE = 1000;
    /** Longer than any name (128): a longer search can match nothing, and bounds what the database compares. */
    static final int MAX_QUERY = 128;

    static Page of(Context ctx) {
        int size = number(ctx, "size", DEFAULT_SIZE, 1, MAX_SIZE);
        int offset = number(ctx, "offset", 0, 0, Integer.MAX_VALUE - MAX_SIZE - 1);
        String tags = ctx.queryParam("tags");
        List<String> list = tags == null ? List.of()
                : Arrays.stream(tags.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
        return new Page(size, offset, list, query(ctx.queryParam("q")));
    }

    /** How many rows to fetch: one more than a page, to learn whether another page follows. */
    int fetch() {
        return size + 1;
    }

    /** The list body from up to {@link #fetch()} items starting at this page's offset. */
    <T> Map<String, Object> body(List<T> fetched, Function<T, ?> view) {
        boolean more = fetched.size() > size;
        List<?> data = fetched.stream().limit(size).map(view).toList();
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("data", data);
        m.put("next", more ? offset + size : null);
        return m;
    }

    /** Paging a list held in memory (nodes). */
    <T> Map<String, Object> slice(List<T> all, Function<T, ?> view) {
        int from = Math.min(offset, all.size());
        return body(all.subList(from, Math.min(all.size(), from + fetch())), view);
    }

    private static String query(String raw) {
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        if (raw.length() > MAX_QUERY || raw.chars().anyMatch(Character::isISOControl)) {
            throw ApiException.badParameter("q", "q: " + (raw.length() > 40 ? raw.substring(0, 40) + "..." : raw)
                    .replaceAll("\\p{Cntrl}", "?") + " (expected: 1-" + MAX_QUERY + " characters of a name, no control characters)");
        }
        return raw;
    }

    private static int number(Context ctx, String name, int fallback, int min, int max) {
        String raw = ctx.queryParam(name);
        if (raw == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(raw.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below, with the expected range
        }
        throw ApiException.badParameter(name, name + ": " + raw + " (expected: an integer " + min + "-" + max + ")");
    }
}
