package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreePortsTest {
    /** 1,000 picks among ~14,000 ports the kernel hands to bind(0): without the memory, a repeat is all but certain. */
    @Test
    void noPortIsHandedOutTwice() throws Exception {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            ports.add(FreePorts.next());
        }
        assertThat(ports).doesNotHaveDuplicates();
    }
}
