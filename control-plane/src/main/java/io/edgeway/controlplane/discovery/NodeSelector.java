package io.edgeway.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.model.ValidationException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * Which nodes are the canary: every node carrying all of {@code labels}, or, with {@code percent} set, a stable
 * share of the nodes chosen by a hash of the node id (the same node is in or out on every replica and after
 * every reconnect, so a node never flips between the two revisions mid-rollout). {@code fallbackNode}, chosen
 * once when the rollout starts and stored with it, is in as well: an N% rollout always has at least one node.
 */
public record NodeSelector(Map<String, String> labels, int percent, String fallbackNode) {
    public static final NodeSelector DEFAULT = new NodeSelector(Map.of("canary", "true"), 0);
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,62}");
    private static final int MAX_LABELS = 16;

    public NodeSelector {
        labels = Map.copyOf(requireNonNull(labels, "labels"));
        if (percent < 0 || percent > 100) {
            throw new IllegalArgumentException("percent: " + percent + " (expected: 0-100)");
        }
        if (labels.isEmpty() == (percent == 0)) {
            throw new IllegalArgumentException("selector: labels or a percentage, exactly one");
        }
        if (fallbackNode != null && percent == 0) {
            throw new IllegalArgumentException("fallbackNode: only with a percentage");
        }
    }

    public NodeSelector(Map<String, String> labels, int percent) {
        this(labels, percent, null);
    }

    /** This selector with the node its rollout stored as the fallback (null: none). */
    public NodeSelector withFallback(String node) {
        return node == null || percent == 0 ? this : new NodeSelector(labels, percent, node);
    }

    /** "canary=true", "canary=true,zone=eu-1" (all must match) or "10%"; 422 with the reason otherwise. */
    public static NodeSelector parse(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT;
        }
        String t = text.trim();
        if (t.endsWith("%")) {
            String digits = t.substring(0, t.length() - 1);
            if (!digits.matches("[0-9]{1,3}") || Integer.parseInt(digits) < 1 || Integer.parseInt(digits) > 100) {
                throw invalid(text, "a percentage 1%-100%");
            }
            return new NodeSelector(Map.of(), Integer.parseInt(digits));
        }
        Map<String, String> labels = new LinkedHashMap<>();
        for (String pair : t.split(",", -1)) {
            int eq = pair.indexOf('=');
            if (eq <= 0 || !TOKEN.matcher(pair.substring(0, eq)).matches()
                    || !TOKEN.matcher(pair.substring(eq + 1)).matches()) {
                throw invalid(text, "key=value[,key=value...] of letters, digits and ._/- (at most 63 each), or N%");
            }
            if (labels.put(pair.substring(0, eq), pair.substring(eq + 1)) != null || labels.size() > MAX_LABELS) {
                throw invalid(text, "each key once, at most " + MAX_LABELS + " labels");
            }
        }
        return new NodeSelector(labels, 0);
    }

    private static ValidationException invalid(String text, String expected) {
        String shown = text.length() > 100 ? text.substring(0, 100) + "..." : text;
        return new ValidationException("selector", "selector: " + shown + " (expected: " + expected + ")");
    }

    public boolean matches(String nodeId, Map<String, String> nodeLabels) {
        if (percent > 0) {
            return bucket(nodeId) < percent || nodeId.equals(fallbackNode);
        }
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (!e.getValue().equals(nodeLabels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * For an N% selector whose hash picks none of {@code connected}: the one node to take instead, the one
     * with the lowest bucket (then the lowest id), so "10%" of three nodes is one node, not none. Null when
     * the hash already picks one, for a label selector, or with no node connected.
     */
    public String fallback(java.util.Collection<String> connected) {
        if (percent == 0 || connected.stream().anyMatch(id -> bucket(id) < percent)) {
            return null;
        }
        return connected.stream().min(java.util.Comparator.comparingInt(NodeSelector::bucket)
                .thenComparing(java.util.Comparator.naturalOrder())).orElse(null);
    }

    /** 0-99, from the node id alone: CRC32 is the same on every JVM, unlike String.hashCode's spread guarantee. */
    public static int bucket(String nodeId) {
        CRC32 crc = new CRC32();
        crc.update(nodeId.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % 100);
    }

    /** The text form {@link #parse} reads back. */
    @Override
    public String toString() {
        if (percent > 0) {
            return percent + "%";
        }
        StringBuilder b = new StringBuilder();
        new java.util.TreeMap<>(labels).forEach((k, v) -> b.append(b.isEmpty() ? "" : ",").append(k).append('=').append(v));
        return b.toString();
    }
}
