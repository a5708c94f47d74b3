package io.edgeway.dataplane;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real backend on a fixed loopback port that can be killed and started again on the same port.
 * {@code /health} answers {@link #healthStatus}; anything else counts a request and answers the name,
 * or, while {@link #hang} is set, waits until released.
 */
final class HealthBackend implements AutoCloseable {
    static {
        // The JDK server leaves Nagle on, which with delayed ACKs costs ~40 ms per small response.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    final String name;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger probes = new AtomicInteger();
    volatile int healthStatus = 200;
    volatile int status = 200; // for everything but /health
    volatile boolean hang;
    private volatile CountDownLatch release = new CountDownLatch(1);
    private final int port;
    private HttpServer server;
    private ExecutorService executor;

    HealthBackend(String name) throws IOException {
        this.name = name;
        start(0);
        this.port = server.getAddress().getPort();
    }

    int port() {
        return port;
    }

    private void start(int bindPort) throws IOException {
        executor = Executors.newCachedThreadPool();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", bindPort), 128);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (ex.getRequestURI().getPath().equals("/health")) {
                probes.incrementAndGet();
                ex.sendResponseHeaders(healthStatus, -1);
                return;
            }
            requests.incrementAndGet();
            inFlight.incrementAndGet();
            try {
                ex.getRequestBody().transferTo(OutputStream.nullOutputStream());
                if (hang) {
                    release.await(30, TimeUnit.SECONDS); // bounded, in case a test forgets to release
                }
                byte[] body = name.getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(status, body.length);
                ex.getResponseBody().write(body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }

    void releaseHung() {
        hang = false;
        CountDownLatch l = release;
        release = new CountDownLatch(1);
        l.countDown();
    }

    /** Closes the listener and every open connection at once, like a crashed process. */
    synchronized void kill() {
        server.stop(0);
        executor.shutdownNow();
    }

    synchronized void restart() throws IOException {
        start(port);
    }

    @Override
    public synchronized void close() {
        releaseHung();
        kill();
    }
}
