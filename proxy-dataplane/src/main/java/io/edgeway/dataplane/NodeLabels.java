package io.edgeway.dataplane;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * EDGEWAY_NODE_LABELS, e.g. {@code canary=true,zone=eu-1}: what this node says about itself in its Hello, for the
 * control plane's canary selectors. Checked at startup with the same rules the control plane's selectors use, so a
 * typo stops the proxy instead of silently making it a non-canary.
 */
final class NodeLabels {
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,62}");
    static final int MAX = 16;

    private NodeLabels() {}

    static Map<String, String> parse(String text) {
        if (text == null || text.isBlank()) {
            return Map.of();
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (String pair : text.trim().split(",", -1)) {
            String p = pair.trim();
            int eq = p.indexOf('=');
            if (eq <= 0 || !TOKEN.matcher(p.substring(0, eq)).matches() || !TOKEN.matcher(p.substring(eq + 1)).matches()) {
                throw new IllegalArgumentException("EDGEWAY_NODE_LABELS: " + text
                        + " (expected: key=value[,key=value...] of letters, digits and ._/-, at most 63 each)");
            }
            if (labels.put(p.substring(0, eq), p.substring(eq + 1)) != null || labels.size() > MAX) {
                throw new IllegalArgumentException("EDGEWAY_NODE_LABELS: " + text
                        + " (expected: each key once, at most " + MAX + " labels)");
            }
        }
        return Map.copyOf(labels);
    }
}
