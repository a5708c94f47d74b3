package io.edgeway.controlplane.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeway.controlplane.model.CachePolicy;

/** The routes.cache jsonb column: the API's own "cache" object, null when the route does not cache. */
final class RouteCacheColumn {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private RouteCacheColumn() {}

    static String write(CachePolicy p) {
        if (!p.enabled()) {
            return null;
        }
        try {
            return MAPPER.writeValueAsString(EntityJson.cache(p));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static CachePolicy read(String json) {
        if (json == null) {
            return CachePolicy.OFF;
        }
        try {
            return EntityJson.readCache(MAPPER.readTree(json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("routes.cache: unreadable " + json, e);
        }
    }
}
