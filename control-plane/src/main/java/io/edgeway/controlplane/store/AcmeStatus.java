package io.edgeway.controlplane.store;

import java.time.Instant;
import java.util.List;

/**
 * Where the ACME client stands with one managed certificate: {@code status} pending (never issued), valid,
 * renewing (an order for a certificate that is still served) or failed (with the CA's message and when it is
 * tried again). {@code orderUrl}: the order in progress, which a replica taking over resumes.
 */
public record AcmeStatus(String status, String lastError, Instant nextAttemptAt, int failures, boolean renewRequested,
                         String orderUrl, List<String> orderSnis) {
    public static final AcmeStatus PENDING = new AcmeStatus("pending", null, null, 0, false, null, List.of());

    public AcmeStatus {
        orderSnis = orderSnis == null ? List.of() : List.copyOf(orderSnis);
    }
}
