package io.edgeway.controlplane.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.UUID;

/**
 * An entity as the store holds it: the validated value plus the identity, times and the revision that last
 * wrote it (its ETag) the store assigns.
 */
public record Stored<T>(UUID id, T value, Instant createdAt, Instant updatedAt, long revision) {
    public Stored {
        requireNonNull(id, "id");
        requireNonNull(value, "value");
        requireNonNull(createdAt, "createdAt");
        requireNonNull(updatedAt, "updatedAt");
    }

    /** The strong ETag of this version: the revision that wrote it, quoted. */
    public String etag() {
        return "\"" + revision + "\"";
    }
}
