package io.edgeway.dataplane.cache;

import java.util.List;

/** What the memory tier holds under a key: a response, or for a URL whose responses vary, which headers they vary on. */
sealed interface Stored permits CachedResponse, Stored.VaryIndex {
    int weight();

    /** At the primary key of a URL whose response said {@code Vary}: the (lower-case, sorted) names of those headers. */
    record VaryIndex(List<String> names) implements Stored {
        @Override
        public int weight() {
            return 128 + names.stream().mapToInt(n -> n.length() * 2 + 16).sum();
        }
    }
}
