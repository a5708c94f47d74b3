package io.edgeway.e2e;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Steady HTTP/1.1 keep-alive load from a few threads over raw sockets, so nothing (no client retry, no
 * pool) hides a failure: every request is one line in the books, ok or failed, and a reset is counted as
 * such. Bounded by a request count and a deadline, whichever comes first.
 */
final class Load implements AutoCloseable {
    private final int port;
    private final long intervalNanos;
    private final long maxRequestsPerThread;
    private final long deadlineNanos;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong resets = new AtomicLong();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private volatile boolean stopped;

    /** {@code threads} clients, each sending one request every {@code interval}, for at most {@code max}. */
    Load(int port, int threadCount, Duration interval, long maxRequestsPerThread, Duration max) {
        this.port = port;
        this.intervalNanos = interval.toNanos();
        this.maxRequestsPerThread = maxRequestsPerThread;
        this.deadlineNanos = System.nanoTime() + max.toNanos();
        for (int i = 0; i < threadCount; i++) {
            int id = i;
            Thread t = new Thread(() -> run(id), "load-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
    }

    long ok() {
        return ok.get();
    }

    long failed() {
        return failed.get();
    }

    long resets() {
        return resets.get();
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    private void run(int id) {
        Socket socket = null;
        long next = System.nanoTime();
        for (long n = 0; n < maxRequestsPerThread && !stopped && System.nanoTime() < deadlineNanos; n++) {
            LockSupport.parkNanos(next - System.nanoTime()); // pacing, not synchronization
            next += intervalNanos;
            try {
                if (socket == null) {
                    socket = new Socket();
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                    socket.setSoTimeout(10_000);
                    socket.setTcpNoDelay(true);
                }
                boolean keep = exchange(socket, "/load/" + id + "/" + n);
                ok.incrementAndGet();
                if (!keep) {
                    socket.close();
                    socket = null;
                }
            } catch (IOException e) {
                failed.incrementAndGet();
                if (e instanceof SocketException && String.valueOf(e.getMessage()).contains("reset")) {
                    resets.incrementAndGet();
                }
                if (failures.size() < 50) {
                    failures.add("thread " + id + " request " + n + ": " + e);
                }
                closeQuietly(socket);
                socket = null;
            }
        }
        closeQuietly(socket);
    }

    /** One GET; returns whether the connection may be reused. Anything but a whole 200 is an IOException. */
    private static boolean exchange(Socket socket, String path) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: load.test\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = new BufferedInputStream(socket.getInputStream(), 1); // unbuffered: the socket is reused
        String status = line(in);
        if (!status.startsWith("HTTP/1.1 200 ")) {
            throw new IOException("status: " + status);
        }
        long length = -1;
        boolean close = false;
        for (String h; !(h = line(in)).isEmpty(); ) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).trim());
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                close = true;
            }
        }
        if (length < 0) {
            throw new IOException("no content-length in a response from " + path);
        }
        for (long i = 0; i < length; i++) {
            if (in.read() < 0) {
                throw new IOException("body cut after " + i + " of " + length + " bytes");
            }
        }
        return !close;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("connection closed mid-response after: " + sb);
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    private static void closeQuietly(Socket s) {
        try {
            if (s != null) s.close();
        } catch (IOException ignored) {
            // closing a broken socket
        }
    }

    /** Stops the clients and waits for the requests in flight to finish. */
    @Override
    public void close() throws InterruptedException {
        stopped = true;
        for (Thread t : threads) {
            t.join(15_000);
        }
    }
}
