package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
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

    @Test
    void aRefusedPortRefusesConnectionsAndNoListenerCanTakeIt() throws Exception {
        int port = FreePorts.refused();
        assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                .isInstanceOf(ConnectException.class);
        assertThatThrownBy(() -> new ServerSocket(port).close()).isInstanceOf(BindException.class);
        assertThatThrownBy(() -> new ServerSocket(port, 1, InetAddress.getLoopbackAddress()).close())
                .isInstanceOf(BindException.class);
    }
}
