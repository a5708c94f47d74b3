package io.edgeway.dataplane;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on loopback. {@code /echo} streams the request body back; {@code /hang} waits until
 * closed; {@code /big} sends 256 MiB; anything else answers with the backend's name and the forwarded headers it saw.
 */
final class TestBackend implements AutoCloseable {
    final String name;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger bigAborted = new AtomicInteger();
    final Set<String> connections = ConcurrentHashMap.newKeySet();
    final ConcurrentHashMap<String, String> lastHeaders = new ConcurrentHashMap<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();

    TestBackend(String name) throws IOException {
        this.name = name;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        connections.add(ex.getRemoteAddress().toString());
        lastHeaders.clear();
        ex.getRequestHeaders().forEach((k, v) -> lastHeaders.put(k.toLowerCase(), String.join(",", v)));
        String path = ex.getRequestURI().getPath();
        try (ex) {
            if (path.startsWith("/echo")) {
                // Read everything first: a client that only reads the response once its upload is done
                // (the JDK client) would otherwise deadlock with any bounded relay in between.
                byte[] body;
                try (InputStream in = ex.getRequestBody()) {
                    body = in.readAllBytes();
                }
                ex.sendResponseHeaders(200, 0); // chunked
                try (OutputStream out = ex.getResponseBody()) {
                    for (int off = 0; off < body.length; off += 64 * 1024) {
                        out.write(body, off, Math.min(64 * 1024, body.length - off));
                    }
                }
            } else if (path.startsWith("/big")) {
                // 256 MiB: far more than every buffer between here and a client that stopped reading.
                byte[] chunk = new byte[64 * 1024];
                ex.sendResponseHeaders(200, 4096L * chunk.length);
                try (OutputStream out = ex.getResponseBody()) {
                    for (int i = 0; i < 4096; i++) {
                        out.write(chunk);
                    }
                } catch (IOException e) {
                    bigAborted.incrementAndGet(); // the proxy dropped the upstream connection
                }
            } else if (path.startsWith("/stall")) {
                ex.sendResponseHeaders(200, 0);
                ex.getResponseBody().write("started".getBytes(StandardCharsets.UTF_8));
                ex.getResponseBody().flush();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else if (path.startsWith("/hang")) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else {
                ex.getRequestBody().transferTo(OutputStream.nullOutputStream());
                byte[] body = name.getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Connection", "X-Secret");
                ex.getResponseHeaders().add("X-Secret", "hop");
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
        }
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
