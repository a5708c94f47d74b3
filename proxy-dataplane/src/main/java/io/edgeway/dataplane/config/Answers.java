package io.edgeway.dataplane.config;

import io.edgeway.proto.v1.Ack;
import io.edgeway.proto.v1.Nack;
import io.edgeway.proto.v1.NodeMessage;
import io.edgeway.proto.v1.ResourceError;
import io.edgeway.proto.v1.Snapshot;
import java.util.List;

/** The two answers a snapshot gets, each carrying the snapshot's version and nonce (one per snapshot). */
final class Answers {
    private Answers() {}

    /** Applied; {@code quarantined} names what the version was applied without (issue 22), empty when whole. */
    static NodeMessage ack(Snapshot s, List<ResourceError> quarantined) {
        return NodeMessage.newBuilder().setAck(Ack.newBuilder().setVersion(s.getVersion()).setNonce(s.getNonce())
                .addAllQuarantined(quarantined)).build();
    }

    /** Refused whole; the running config stays. */
    static NodeMessage nack(Snapshot s, List<ResourceError> errors) {
        return NodeMessage.newBuilder().setNack(Nack.newBuilder().setVersion(s.getVersion())
                .setNonce(s.getNonce()).addAllErrors(errors)).build();
    }
}
