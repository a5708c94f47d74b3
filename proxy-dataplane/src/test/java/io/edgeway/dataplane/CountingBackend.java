package io.edgeway.dataplane;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A raw-socket backend that counts every byte it receives: the oracle for "never forwarded". It answers
 * each request head with a small 200 whose body is the request line it saw (so a test can check the
 * path that arrived); request bodies are not parsed, which is fine for the GETs the tests forward.
 */
final class CountingBackend implements AutoCloseable {
    final AtomicLong bytes = new AtomicLong();
    final AtomicLong connections = new AtomicLong();
    final Set<String> requestLines = ConcurrentHashMap.newKeySet();
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;

    CountingBackend() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "counting-backend");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                open.add(s);
                Thread t = new Thread(() -> serve(s), "counting-backend-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            StringBuilder head = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0) {
                bytes.incrementAndGet();
                head.append((char) b);
                if (head.length() >= 4 && head.lastIndexOf("\r\n\r\n") == head.length() - 4) {
                    String line = head.substring(0, head.indexOf("\r\n"));
                    requestLines.add(line);
                    byte[] body = line.getBytes(StandardCharsets.ISO_8859_1);
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.write(body);
                    out.flush();
                    head.setLength(0);
                }
            }
        } catch (IOException e) {
            // the proxy closed the connection
        } finally {
            open.remove(s);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
