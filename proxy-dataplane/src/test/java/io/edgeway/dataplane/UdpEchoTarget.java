package io.edgeway.dataplane;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A DNS-style UDP server on loopback: answers each datagram with "reply:" and its payload, to its sender. */
final class UdpEchoTarget implements AutoCloseable {
    final Set<InetSocketAddress> senders = ConcurrentHashMap.newKeySet(); // the proxy's session sockets
    private final DatagramSocket socket;

    UdpEchoTarget() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.setReceiveBufferSize(4 << 20);
        Thread t = new Thread(this::serve, "udp-echo");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    private void serve() {
        byte[] buf = new byte[2048];
        byte[] prefix = "reply:".getBytes();
        while (!socket.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                senders.add((InetSocketAddress) p.getSocketAddress());
                byte[] out = new byte[prefix.length + p.getLength()];
                System.arraycopy(prefix, 0, out, 0, prefix.length);
                System.arraycopy(buf, 0, out, prefix.length, p.getLength());
                socket.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
