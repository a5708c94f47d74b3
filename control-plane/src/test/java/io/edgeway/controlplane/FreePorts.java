package io.edgeway.controlplane;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Ports for listeners a test names before they bind (stream routes, child processes). The kernel picks each
 * port at random among the free ones, and a closed listener's port is free again at once, so two picks can be
 * the same port: on this machine 21 of 30,000 picks repeated one of the ten before. Two listeners configured on
 * one port then fail to bind, by chance. Here a port is handed out once per JVM. (Another process can still
 * take a port between the pick and the bind; that is rarer, and only a listener bound to port 0 avoids it.)
 */
public final class FreePorts {
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
    private static final List<Socket> HELD = new CopyOnWriteArrayList<>();

    private FreePorts() {
    }

    /** A port free on every address right now, never handed out before in this JVM. */
    public static int next() throws IOException {
        while (true) {
            try (ServerSocket s = new ServerSocket(0)) {
                if (HANDED_OUT.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            }
        }
    }

    /**
     * A port where connections are refused for the rest of the JVM: a socket is bound there and never listens,
     * so no later bind takes it (without SO_REUSEADDR on the holder, even a wildcard bind with it is refused).
     * A port only closed again could be the next bind(0)'s pick, the proxy's own listeners' included, and a
     * "dead" target would then answer.
     */
    public static int refused() throws IOException {
        Socket held = new Socket();
        held.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        HELD.add(held);
        return held.getLocalPort();
    }
}
