package io.edgeway.controlplane.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.proto.v1.ControlMessage;
import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.Snapshot;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

/**
 * The delta a proxy gets carries the SHA-256 of the full snapshot it must rebuild: the hash is taken only once the
 * delta is kept (a placeholder of its size before), so this checks the placeholder never leaves.
 */
class DeltaResultHashTest {
    @Test
    void aKeptDeltaCarriesTheFullSnapshotsHash() throws Exception {
        Snapshot.Builder base = Snapshot.newBuilder().setVersion(1);
        for (int i = 0; i < 50; i++) {
            base.addRoutes(Route.newBuilder().setName("r" + i).addHosts("h" + i + ".test").setUpstream("u"));
        }
        PreparedSnapshot first = PreparedSnapshot.of(base.build());
        Snapshot next = base.setVersion(2).setRoutes(7, base.getRoutes(7).toBuilder().addHosts("more.test")).build();

        PreparedSnapshot second = PreparedSnapshot.of(next, first);

        assertThat(second.delta()).isNotNull();
        Snapshot delta = ControlMessage.parseFrom(second.delta().encoded()).getSnapshot();
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(next.toByteArray());
        assertThat(delta.getDelta().getResultSha256().toByteArray()).isEqualTo(expected);
        assertThat(delta.getRoutesList()).extracting(Route::getName).containsExactly("r7");
        var inflated = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(second.delta().gzipped())).readAllBytes();
        assertThat(inflated).isEqualTo(second.delta().encoded()); // the gzipped copy a compressing node gets, too
    }
}
