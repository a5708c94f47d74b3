package io.edgeway.controlplane.store;

/** The entity changed since the client read it (its {@code If-Match} is stale): answered 412, nothing written. */
public final class PreconditionFailedException extends RuntimeException {
    public PreconditionFailedException(String message) {
        super(message);
    }
}
