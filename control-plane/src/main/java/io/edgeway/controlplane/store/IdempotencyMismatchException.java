package io.edgeway.controlplane.store;

/** An {@code Idempotency-Key} reused with a different request body: answered 422, nothing written. */
public final class IdempotencyMismatchException extends RuntimeException {
    public IdempotencyMismatchException(String message) {
        super(message);
    }
}
