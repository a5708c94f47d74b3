package io.edgeway.dataplane;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/1.1 target that holds every answer until the test lets them all go at once: each connection reads
 * one request head, counts it in {@link #arrived}, waits for {@link #answerAll}, writes a small response and
 * counts it in {@link #answered}. A connection per request (the proxy opens one per concurrent request).
 */
final class HeldBackend implements AutoCloseable {
    final CountDownLatch arrived;
    final CountDownLatch answered;
    private final CountDownLatch gate = new CountDownLatch(1);
    private final ServerSocket server;

    HeldBackend(int requests) throws IOException {
        arrived = new CountDownLatch(requests);
        answered = new CountDownLatch(requests);
        server = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "held-backend");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    void answerAll() {
        gate.countDown();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> serve(s), "held-backend-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            int matched = 0; // of "\r\n\r\n", the end of the request head
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            arrived.countDown();
            if (!gate.await(60, TimeUnit.SECONDS)) {
                return;
            }
            OutputStream out = s.getOutputStream();
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nheld\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            answered.countDown();
            in.read(); // keep the connection until the proxy closes or reuses it
        } catch (IOException | InterruptedException e) {
            // the test ended
        }
    }

    @Override
    public void close() throws IOException {
        gate.countDown();
        server.close();
    }
}
