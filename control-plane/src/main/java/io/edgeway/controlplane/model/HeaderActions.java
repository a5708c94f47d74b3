package io.edgeway.controlplane.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Headers a route sets (replacing every value of the name), adds, or removes on requests before they go to the
 * target, or on responses before they go to the client. Names are RFC 9110 tokens (lower-cased here), values
 * have no CR, LF or NUL. Fields that frame or route the message, or belong to one hop, cannot be touched: a
 * route changing them would make the proxy forward a message its peer reads differently.
 */
public record HeaderActions(Map<String, String> set, Map<String, String> add, List<String> remove) {
    public static final HeaderActions NONE = new HeaderActions(Map.of(), Map.of(), List.of());
    public static final Set<String> FORBIDDEN = Set.of("host", "content-length", "transfer-encoding", "connection",
            "upgrade", "te", "trailer", "keep-alive", "proxy-connection", "http2-settings", ":authority", "content-encoding");
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}");
    private static final int MAX_VALUE = 4096;

    public HeaderActions {
        set = lowerKeys(set);
        add = lowerKeys(add);
        remove = remove == null ? List.of() : remove.stream().map(n -> n == null ? null : n.toLowerCase(Locale.ROOT)).toList();
    }

    public boolean isEmpty() {
        return set.isEmpty() && add.isEmpty() && remove.isEmpty();
    }

    void check(ValidationException.Collector v, String field) {
        checkValues(v, field + ".set", set);
        checkValues(v, field + ".add", add);
        for (int i = 0; i < remove.size(); i++) {
            checkName(v, field + ".remove[" + i + "]", remove.get(i));
        }
    }

    private static void checkValues(ValidationException.Collector v, String field, Map<String, String> values) {
        values.forEach((name, value) -> {
            String at = field + "." + name;
            checkName(v, at, name);
            v.check(value != null && value.length() <= MAX_VALUE && value.chars().noneMatch(c -> c == '\r' || c == '\n' || c == 0)
                            && value.chars().allMatch(c -> c == '\t' || c >= 0x20 && c != 0x7f && c <= 0xff),
                    at, at + ": (expected: a value of at most " + MAX_VALUE + " characters, no CR, LF, NUL or other control characters)");
        });
    }

    private static void checkName(ValidationException.Collector v, String at, String name) {
        boolean token = name != null && TOKEN.matcher(name).matches();
        v.check(token, at, at + ": " + name + " (expected: a header name, an RFC 9110 token)");
        v.check(!token || !FORBIDDEN.contains(name), at, at + ": " + name
                + " (expected: not a framing, routing or hop-by-hop header; the proxy owns "
                + String.join(", ", FORBIDDEN.stream().filter(n -> !n.startsWith(":")).sorted().toList()) + ")");
    }

    private static Map<String, String> lowerKeys(Map<String, String> in) {
        if (in == null || in.isEmpty()) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        in.forEach((k, val) -> out.put(k == null ? null : k.toLowerCase(Locale.ROOT), val));
        return java.util.Collections.unmodifiableMap(out);
    }
}
