package io.edgeway.dataplane.warmup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.edgeway.proto.v1.ControlMessage;
import io.edgeway.proto.v1.Snapshot;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

class WireSnapshotTest {
    private final Snapshot drill;

    WireSnapshotTest() throws Exception {
        drill = WarmupTls.create().certificateDrill(3);
    }

    @Test
    void theDrillSnapshotComesBackWhole() {
        assertEquals(drill, WireSnapshot.parse(WireSnapshot.gzipped(drill)));
    }

    @Test
    void itsBytesAreAGzipMemberAsTheStreamDeliversThem() {
        byte[] wire = WireSnapshot.gzipped(drill);
        assertEquals(0x1f, wire[0] & 0xff);
        assertEquals(0x8b, wire[1] & 0xff);
        // the plain encoding is not what the drill reads: a drill that skipped the inflate would not run its code
        byte[] plain = ControlMessage.newBuilder().setSnapshot(drill).build().toByteArray();
        assertThrows(UncheckedIOException.class, () -> WireSnapshot.parse(plain));
    }
}
