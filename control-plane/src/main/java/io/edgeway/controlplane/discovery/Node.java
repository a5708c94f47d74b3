package io.edgeway.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the control plane knows about one proxy. {@code rejectedVersion} and {@code lastError} describe
 * the last Nack and stay after later Acks, so an operator can still see why a version was refused.
 * {@code draining} is what the proxy last said in a Status: it is leaving (scale-in) and should not be
 * counted as serving capacity. {@code quarantined} (issue 22) lists the entities the proxy left out of the
 * version it applied last ("applied with N quarantined"); empty when it applied everything.
 */
public record Node(String id, String address, Map<String, String> labels, boolean connected,
                   long appliedVersion, Long rejectedVersion, String lastError, Instant lastSeen, long streamId,
                   boolean draining, List<Quarantined> quarantined) {
    public Node {
        requireNonNull(id, "id");
        requireNonNull(address, "address");
        labels = Map.copyOf(labels);
        requireNonNull(lastSeen, "lastSeen");
        quarantined = List.copyOf(requireNonNull(quarantined, "quarantined"));
    }

    public Node(String id, String address, Map<String, String> labels, boolean connected, long appliedVersion,
                Long rejectedVersion, String lastError, Instant lastSeen, long streamId, boolean draining) {
        this(id, address, labels, connected, appliedVersion, rejectedVersion, lastError, lastSeen, streamId, draining,
                List.of());
    }

    /** One entity a proxy applied a version without, and why: the Ack's ResourceError. */
    public record Quarantined(String kind, String name, String field, String message) {
        public Quarantined {
            requireNonNull(kind, "kind");
            requireNonNull(name, "name");
            requireNonNull(field, "field");
            requireNonNull(message, "message");
        }

        static Quarantined of(io.edgeway.proto.v1.ResourceError e) {
            return new Quarantined(e.getKind(), e.getName(), e.getField(), e.getMessage());
        }
    }

    Node seen(Instant now) {
        return new Node(id, address, labels, connected, appliedVersion, rejectedVersion, lastError, now, streamId, draining,
                quarantined);
    }

    /** An Ack: its quarantine list describes {@code version}, so it replaces the list of any older version. */
    Node applied(long version, Instant now, List<Quarantined> nowQuarantined) {
        List<Quarantined> q = version >= appliedVersion ? nowQuarantined : quarantined;
        return new Node(id, address, labels, connected, Math.max(appliedVersion, version), rejectedVersion, lastError,
                now, streamId, draining, q);
    }

    Node applied(long version, Instant now) {
        return applied(version, now, List.of());
    }

    Node rejected(long version, String error, Instant now) {
        return new Node(id, address, labels, connected, appliedVersion, version, error, now, streamId, draining,
                quarantined);
    }

    Node status(boolean nowDraining, Instant now) {
        return new Node(id, address, labels, connected, appliedVersion, rejectedVersion, lastError, now, streamId,
                nowDraining, quarantined);
    }

    Node disconnected(Instant now) {
        return new Node(id, address, labels, false, appliedVersion, rejectedVersion, lastError, now, streamId, draining,
                quarantined);
    }
}
