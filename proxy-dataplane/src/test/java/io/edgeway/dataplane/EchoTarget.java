package io.edgeway.dataplane;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP echo server on loopback, one thread per connection: echoes every byte until the client's FIN, then
 * sends its own FIN (so a half-closed client still reads the whole reply). A connection that starts with
 * "who\n" is first answered with the server's name; one that starts with "GET /health" gets an HTTP answer
 * with {@link #healthStatus}, so it can stand behind an active HTTP check.
 */
final class EchoTarget implements AutoCloseable {
    final String name;
    final AtomicInteger connections = new AtomicInteger();
    volatile int healthStatus = 200;
    private final ServerSocket server;

    EchoTarget(String name) throws IOException {
        this.name = name;
        server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "echo-" + name);
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s), "echo-" + name + "-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[64 * 1024];
            boolean first = true;
            for (int n; (n = in.read(buf)) >= 0; ) {
                if (first) {
                    first = false;
                    String head = new String(buf, 0, Math.min(n, 16), StandardCharsets.US_ASCII);
                    if (head.startsWith("GET /health")) {
                        out.write(("HTTP/1.1 " + healthStatus + " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        return;
                    }
                    if (head.startsWith("who\n")) {
                        out.write((name + "\n").getBytes(StandardCharsets.US_ASCII));
                        out.write(buf, 4, n - 4);
                        continue;
                    }
                }
                out.write(buf, 0, n);
            }
            s.shutdownOutput();
            in.read(); // wait for the proxy to close its side
        } catch (IOException e) {
            // the client went away: nothing to echo to
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
