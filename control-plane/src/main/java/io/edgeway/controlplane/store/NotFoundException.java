package io.edgeway.controlplane.store;

/** No entity has the requested id or name (404). */
public final class NotFoundException extends RuntimeException {
    public NotFoundException(String kind, String key) {
        super(kind + " " + key + " not found");
    }
}
