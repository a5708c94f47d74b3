package io.edgeway.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;

/**
 * What the control plane knows about one proxy. {@code rejectedVersion} and {@code lastError} describe
 * the last Nack and stay after later Acks, so an operator can still see why a version was refused.
 */
public record Node(String id, String address, Map<String, String> labels, boolean connected,
                   long appliedVersion, Long rejectedVersion, String lastError, Instant lastSeen, long streamId) {
    public Node {
        requireNonNull(id, "id");
        requireNonNull(address, "address");
        labels = Map.copyOf(labels);
        requireNonNull(lastSeen, "lastSeen");
    }

    Node seen(Instant now) {
        return new Node(id, address, labels, connected, appliedVersion, rejectedVersion, lastError, now, streamId);
    }

    Node applied(long version, Instant now) {
        return new Node(id, address, labels, connected, Math.max(appliedVersion, version), rejectedVersion, lastError, now, streamId);
    }

    Node rejected(long version, String error, Instant now) {
        return new Node(id, address, labels, connected, appliedVersion, version, error, now, streamId);
    }

    Node disconnected(Instant now) {
        return new Node(id, address, labels, false, appliedVersion, rejectedVersion, lastError, now, streamId);
    }
}
