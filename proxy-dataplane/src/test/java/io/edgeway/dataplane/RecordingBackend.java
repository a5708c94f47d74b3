package io.edgeway.dataplane;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A raw-socket HTTP/1.1 target that keeps every byte each connection brought, in order, and whether the
 * proxy closed that connection: the oracle for what a request looked like on the wire to the target. It
 * answers every request head at once with a 200 whose body is 32 bytes (request bodies are not parsed),
 * except a request for a path with {@code /hold} in it, which it never answers.
 */
final class RecordingBackend implements AutoCloseable {
    /** One per accepted connection: everything it received, as ISO-8859-1 text. */
    final List<StringBuffer> connections = new CopyOnWriteArrayList<>();
    final List<StringBuffer> closedByProxy = new CopyOnWriteArrayList<>();
    private final ServerSocket server;

    RecordingBackend() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "recording-backend");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    long bytes() {
        return connections.stream().mapToLong(StringBuffer::length).sum();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                StringBuffer got = new StringBuffer();
                connections.add(got);
                Thread t = new Thread(() -> serve(s, got), "recording-backend-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s, StringBuffer got) {
        byte[] answer = ("HTTP/1.1 200 OK\r\nContent-Length: 32\r\n\r\n" + "a".repeat(32))
                .getBytes(StandardCharsets.ISO_8859_1);
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            int b;
            int headEnd = 0;
            while ((b = in.read()) >= 0) {
                got.append((char) b);
                if (got.length() - headEnd >= 4 && got.lastIndexOf("\r\n\r\n") == got.length() - 4) {
                    String line = got.substring(headEnd, got.indexOf("\r\n", headEnd));
                    headEnd = got.length();
                    if (line.contains("/hold")) {
                        continue;
                    }
                    out.write(answer);
                    out.flush();
                }
            }
            closedByProxy.add(got);
        } catch (IOException e) {
            closedByProxy.add(got); // a reset by the proxy is a close too
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
