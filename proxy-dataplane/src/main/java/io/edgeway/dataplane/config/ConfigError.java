package io.edgeway.dataplane.config;

import static java.util.Objects.requireNonNull;

import io.edgeway.proto.v1.ResourceError;

/** Names the resource and field that made a snapshot unusable. */
public record ConfigError(String kind, String name, String field, String message) {

    public ConfigError {
        requireNonNull(kind, "kind");
        requireNonNull(name, "name");
        requireNonNull(field, "field");
        requireNonNull(message, "message");
    }

    public ResourceError toProto() {
        return ResourceError.newBuilder().setKind(kind).setName(name).setField(field).setMessage(message).build();
    }

    @Override
    public String toString() {
        return kind + " '" + name + "' " + field + ": " + message;
    }
}
