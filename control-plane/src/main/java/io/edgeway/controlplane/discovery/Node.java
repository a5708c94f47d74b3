package io.edgeway.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;

/**
 * What the control plane knows about one proxy. {@code rejectedVersion} and {@code lastError} describe
 * the last Nack and stay after later Acks, so an operator can still see why a version was refused.
 * {@code draining} is what the proxy last said in a Status: it is leaving (scale-in) and should not be
 * counted as serving capacity.
 */
public record Node(String id, String address, Map<String, String> labels, boolean connected,
                   long appliedVersion, Long rejectedVersion, String lastError, Instant lastSeen, long streamId,
                   boolean draining) {
    public Node {
        requireNonNull(id, "id");
        requireNonNull(address, "address");
        labels = Map.copyOf(labels);
        requireNonNull(lastSeen, "lastSeen");
    }

    Node seen(Instant now) {
        return new Node(id, address, labels, connected, appliedVersion, rejectedVersion, lastError, now, streamId, draining);
    }

    Node applied(long version, Instant now) {
        return new Node(id, address, labels, connected, Math.max(appliedVersion, version), rejectedVersion, lastError,
                now, streamId, draining);
    }

    Node rejected(long version, String error, Instant now) {
        return new Node(id, address, labels, connected, appliedVersion, version, error, now, streamId, draining);
    }

    Node status(boolean nowDraining, Instant now) {
        return new Node(id, address, labels, connected, appliedVersion, rejectedVersion, lastError, now, streamId,
                nowDraining);
    }

    Node disconnected(Instant now) {
        return new Node(id, address, labels, false, appliedVersion, rejectedVersion, lastError, now, streamId, draining);
    }
}
