package io.edgeway.e2e;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/** A real HTTP server on a loopback ephemeral port that answers with its own name and counts requests. */
final class Backend implements AutoCloseable {
    private final String name;
    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    Backend(String name) throws IOException {
        this.name = name;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] body = (name + " " + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("X-Backend", name);
            exchange.getResponseHeaders().add("X-Seen-Forwarded-For",
                    String.valueOf(exchange.getRequestHeaders().getFirst("X-Forwarded-For")));
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    String name() {
        return name;
    }

    int port() {
        return server.getAddress().getPort();
    }

    int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
