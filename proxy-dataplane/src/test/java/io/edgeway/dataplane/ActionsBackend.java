package io.edgeway.dataplane;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * The target for the route action tests (JDK HttpServer on loopback). Under {@code /c/} it answers the
 * compression cases by path; any other path echoes the request line and headers as it received them. The
 * bodies it sends are kept by path (their SHA-256) so a test compares what the client decoded with them.
 */
final class ActionsBackend implements AutoCloseable {
    final Map<String, byte[]> sentDigest = new ConcurrentHashMap<>();
    private final HttpServer server;

    ActionsBackend() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Text that compresses like real text (words in varying order), {@code n} bytes, the same for the same n. */
    static byte[] text(int n) {
        String[] words = {"edge", "proxy", "route", "snapshot", "target", "stream", "compress", "header", "the", "of"};
        Random r = new Random(n);
        StringBuilder b = new StringBuilder(n + 16);
        while (b.length() < n) {
            b.append(words[r.nextInt(words.length)]).append(r.nextInt(7) == 0 ? ".\n" : " ");
        }
        return b.substring(0, n).getBytes(StandardCharsets.US_ASCII);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (!path.startsWith("/c/")) {
                echo(ex);
                return;
            }
            String name = path.substring(3);
            var h = ex.getResponseHeaders();
            h.set("Content-Type", "text/plain; charset=utf-8");
            byte[] body = text(5000);
            switch (name) {
                case "text" -> h.set("Content-Type", "text/html");
                case "json" -> {
                    h.set("Content-Type", "application/json");
                    body = ("{\"items\":[" + "\"abcdefgh\",".repeat(600) + "\"z\"]}").getBytes(StandardCharsets.US_ASCII);
                }
                case "small" -> body = text(100);
                case "png" -> h.set("Content-Type", "image/png");
                case "encoded" -> h.set("Content-Encoding", "gzip");
                case "notransform" -> h.set("Cache-Control", "public, no-transform");
                case "vary" -> {
                    h.set("Vary", "Origin");
                    h.set("ETag", "\"v1\"");
                }
                case "304" -> {
                    h.set("ETag", "\"v1\"");
                    ex.sendResponseHeaders(304, -1);
                    return;
                }
                case "chunked" -> {
                    streamChunked(ex, Integer.parseInt(ex.getRequestURI().getQuery().substring(2)));
                    return;
                }
                default -> { }
            }
            sentDigest.put(name, sha256(body));
            boolean head = ex.getRequestMethod().equals("HEAD");
            ex.sendResponseHeaders(200, head ? -1 : body.length);
            if (!head) {
                ex.getResponseBody().write(body);
            }
        }
    }

    /** {@code n} bytes of text/plain with no Content-Length (chunked), written in 16 KiB pieces. */
    private void streamChunked(HttpExchange ex, int n) throws IOException {
        MessageDigest md = digest();
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            for (int sent = 0, i = 0; sent < n; i++) {
                byte[] piece = text(16 * 1024 + (i % 64)); // varying, so the stream is not one repeated block
                int len = Math.min(piece.length, n - sent);
                out.write(piece, 0, len);
                md.update(piece, 0, len);
                sent += len;
            }
        }
        sentDigest.put("chunked", md.digest());
    }

    private static void echo(HttpExchange ex) throws IOException {
        StringBuilder b = new StringBuilder(ex.getRequestMethod()).append(' ').append(ex.getRequestURI().toString()).append('\n');
        ex.getRequestHeaders().forEach((k, vs) -> b.append(k.toLowerCase()).append(": ").append(String.join(" | ", vs)).append('\n'));
        byte[] body = b.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        ex.getResponseHeaders().set("X-Remove-Me", "1");
        ex.getResponseHeaders().set("X-Origin", "target");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] sha256(byte[] b) {
        return digest().digest(b);
    }

    /** The echoed request's header lines, name (lower case) to value; several values joined with " | ". */
    static List<String> lines(String echo) {
        return List.of(echo.split("\n"));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
