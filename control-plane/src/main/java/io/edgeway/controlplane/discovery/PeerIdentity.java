package io.edgeway.controlplane.discovery;

import static java.util.Objects.requireNonNull;

import io.grpc.Context;
import java.time.Instant;

/**
 * Who is at the other end of a gRPC call, from its verified client certificate: set by the control plane's
 * identity interceptor, absent on an insecure plaintext server (where the Hello's node id is all there is).
 */
public record PeerIdentity(String nodeId, String serial, Instant certificateExpiresAt) {
    public static final Context.Key<PeerIdentity> CURRENT = Context.key("edgeway-peer-identity");

    public PeerIdentity {
        requireNonNull(nodeId, "nodeId");
        requireNonNull(serial, "serial");
        requireNonNull(certificateExpiresAt, "certificateExpiresAt");
    }
}
