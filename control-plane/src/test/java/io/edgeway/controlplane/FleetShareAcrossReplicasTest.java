package io.edgeway.controlplane;

import org.junit.jupiter.api.Test;

/**
 * FleetShare across two control-plane replicas on one database (issue 18): a proxy hears the whole fleet's
 * count, not only the proxies on its own replica, and hears it shrink when a proxy on the other replica leaves.
 */
class FleetShareAcrossReplicasTest {
    @Test
    void eachProxyCountsTheProxiesOnBothReplicas() throws Exception {
        TestDatabase db = TestDatabase.create(getClass());
        try (ControlPlane a = ControlPlane.start(db.settings());
             ControlPlane b = ControlPlane.start(db.settings());
             TestNode onA = new TestNode(a.grpcPort()).hello("node-on-a", 0)) {
            onA.awaitFleetShare(1);
            try (TestNode onB = new TestNode(b.grpcPort()).hello("node-on-b", 0)) {
                onB.awaitFleetShare(2);
                onA.awaitFleetShare(2);
            }
            onA.awaitFleetShare(1); // the proxy on B left
        }
    }
}
