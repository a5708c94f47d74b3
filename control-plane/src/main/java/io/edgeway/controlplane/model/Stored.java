package io.edgeway.controlplane.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.UUID;

/** An entity as the store holds it: the validated value plus the identity and times the store assigns. */
public record Stored<T>(UUID id, T value, Instant createdAt, Instant updatedAt) {
    public Stored {
        requireNonNull(id, "id");
        requireNonNull(value, "value");
        requireNonNull(createdAt, "createdAt");
        requireNonNull(updatedAt, "updatedAt");
    }
}
