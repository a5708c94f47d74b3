package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.proto.v1.NodeMessage;
import io.edgeway.proto.v1.Status;
import org.junit.jupiter.api.Test;

/**
 * The control plane's FleetShare (issue 18) over real gRPC streams: each proxy hears how many connected,
 * non-draining proxies split the fleet-scoped rate limits, on connect and whenever that number changes.
 */
class FleetShareTest extends RunningControlPlane {

    @Test
    void everyServingNodeHearsTheCountOnJoinLeaveAndDrain() throws Exception {
        try (TestNode a = new TestNode(cp.grpcPort()).hello("share-a", 0)) {
            assertThat(a.nextFleetShare()).isEqualTo(1);
            try (TestNode b = new TestNode(cp.grpcPort()).hello("share-b", 0)) {
                assertThat(b.nextFleetShare()).as("a joining node counts itself").isEqualTo(2);
                assertThat(a.nextFleetShare()).as("the others hear of the join").isEqualTo(2);

                b.send(NodeMessage.newBuilder().setStatus(Status.newBuilder().setDraining(true)).build());
                assertThat(a.nextFleetShare()).as("a draining node is counted out").isEqualTo(1);

                try (TestNode c = new TestNode(cp.grpcPort()).hello("share-c", 0)) {
                    assertThat(c.nextFleetShare()).isEqualTo(2);
                    assertThat(a.nextFleetShare()).isEqualTo(2);
                }
                assertThat(a.nextFleetShare()).as("a disconnected node is counted out").isEqualTo(1);
                assertThat(b.fleetShares).as("a draining node keeps the share it had").isEmpty();
            }
        }
    }
}
