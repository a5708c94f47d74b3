package io.edgeway.dataplane;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw-socket HTTP/1.1 target on loopback: each path's answer is whatever bytes the test's {@link Script}
 * returns (so heads can lie), and every request is counted and kept by path, the oracle for "one target request".
 */
final class CacheTarget implements AutoCloseable {
    /** A request as it arrived: method, target, header fields (lower-case names). */
    record Req(String method, String uri, Map<String, String> headers) {
        String header(String name) {
            return headers.get(name);
        }
    }

    /** The raw response to a request, given how many requests for its path arrived before it (0 for the first). */
    interface Script {
        String answer(Req req, int before) throws Exception;
    }

    private final ServerSocket server;
    private final Map<String, Script> scripts = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    final List<Req> requests = new CopyOnWriteArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    CacheTarget() throws IOException {
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "cache-target");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    void on(String path, Script script) {
        scripts.put(path, script);
    }

    int count(String path) {
        AtomicInteger c = counts.get(path);
        return c == null ? 0 : c.get();
    }

    List<Req> requestsFor(String path) {
        return requests.stream().filter(r -> r.uri().equals(path)).toList();
    }

    static String ok(String body, String... headers) {
        StringBuilder h = new StringBuilder("HTTP/1.1 200 OK\r\n");
        for (String header : headers) {
            h.append(header).append("\r\n");
        }
        return h.append("Content-Length: ").append(body.getBytes(StandardCharsets.UTF_8).length).append("\r\n\r\n")
                .append(body).toString();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                open.add(s);
                if (server.isClosed()) { // accepted while close() ran: it may have missed this one
                    s.close();
                    return;
                }
                Thread t = new Thread(() -> serve(s), "cache-target-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                String[] lines = head.split("\r\n");
                String[] start = lines[0].split(" ");
                Map<String, String> headers = new ConcurrentHashMap<>();
                for (int i = 1; i < lines.length; i++) {
                    int colon = lines[i].indexOf(':');
                    headers.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            lines[i].substring(colon + 1).trim(), (a, b) -> a + ", " + b);
                }
                if (headers.containsKey("content-length")) {
                    in.readNBytes(Integer.parseInt(headers.get("content-length"))); // bodies are not looked at
                }
                Req req = new Req(start[0], start[1], headers);
                requests.add(req);
                int before = counts.computeIfAbsent(req.uri(), k -> new AtomicInteger()).getAndIncrement();
                Script script = scripts.get(req.uri());
                String answer = script == null ? "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
                        : script.answer(req, before);
                out.write(answer.getBytes(StandardCharsets.UTF_8));
                out.flush();
                if (answer.contains("\r\nX-Then-Close: yes\r\n")) {
                    return;
                }
            }
        } catch (Exception e) {
            // the proxy closed the connection, or the target was closed
        } finally {
            open.remove(s);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            int n = head.size();
            if (n >= 4 && head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
