package io.edgeway.dataplane;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw-socket HTTP/1.1 keep-alive backend with a short keep-alive of {@code keepAliveMs}, in one of two ways:
 * {@link Mode#IDLE_CLOSE} closes a connection once it has been idle that long after its last response (a
 * FIN racing the proxy's next use of it; a request that arrives after the FIN is counted in {@link #racedCloses}); {@link Mode#CLOSE_ON_ARRIVAL} keeps it open and instead closes it,
 * without answering, the moment a request arrives on it after that long idle: the request is already
 * written when the close (an RST, since it is unread) arrives. Answers {@code 200 ok}; reads bodies by
 * Content-Length. {@link Mode#RESET_EVERY_REQUEST} reads each request whole (body included) and resets the
 * connection instead of answering; with {@link #gather} it first holds them until that many are waiting
 * (or {@link #release} is called), so that the proxy really has that many requests in flight.
 */
final class KeepAliveBackend implements AutoCloseable {
    enum Mode { IDLE_CLOSE, CLOSE_ON_ARRIVAL, RESET_EVERY_REQUEST }

    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger answered = new AtomicInteger();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger racedCloses = new AtomicInteger();
    private final Mode mode;
    private final int keepAliveMs;
    private final ServerSocket server;
    private final java.util.List<Socket> held = new java.util.ArrayList<>();
    private int gather = 1;
    private boolean released;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    KeepAliveBackend(Mode mode, int keepAliveMs) throws IOException {
        this.mode = mode;
        this.keepAliveMs = keepAliveMs;
        this.server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                threads.execute(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        boolean held = false;
        try {
            s.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            long lastResponse = 0;
            while (true) {
                if (mode == Mode.IDLE_CLOSE) {
                    s.setSoTimeout(lastResponse == 0 ? 0 : keepAliveMs);
                }
                String head;
                try {
                    head = readHead(in);
                } catch (SocketTimeoutException idle) {
                    finAndWatch(s, in); // idle for keepAliveMs since the last response
                    return;
                }
                if (head == null) {
                    return;
                }
                requests.incrementAndGet();
                if (mode == Mode.CLOSE_ON_ARRIVAL && lastResponse != 0
                        && System.nanoTime() - lastResponse >= keepAliveMs * 1_000_000L) {
                    racedCloses.incrementAndGet();
                    s.setSoLinger(true, 0); // an RST, as a kernel does when closing with unread input
                    return;
                }
                long length = contentLength(head);
                for (long i = 0; i < length; i++) {
                    if (in.read() < 0) {
                        return;
                    }
                }
                if (mode == Mode.RESET_EVERY_REQUEST) {
                    held = hold(s);
                    return;
                }
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                answered.incrementAndGet();
                lastResponse = System.nanoTime();
            }
        } catch (IOException e) {
            // the proxy went away
        } finally {
            if (!held) {
                try {
                    s.close();
                } catch (IOException e) {
                    // already gone
                }
            }
        }
    }

    /**
     * Sends the FIN, then watches the connection: a request byte arriving after it means the proxy reused the
     * connection while the FIN was in flight (the race), counted in {@link #racedCloses}. The proxy's own
     * close (EOF) means it saw the FIN first. Closing with the request unread then sends an RST, as a kernel does.
     */
    private void finAndWatch(Socket s, InputStream in) throws IOException {
        s.shutdownOutput();
        s.setSoTimeout(2_000);
        try {
            if (in.read() >= 0) {
                racedCloses.incrementAndGet();
                s.setSoLinger(true, 0);
            }
        } catch (SocketTimeoutException | java.net.SocketException e) {
            // the proxy kept the half-closed connection without writing on it, or reset it: no race
        }
    }

    /** From now on, reset each request's connection only once {@code n} of them wait. */
    synchronized void gather(int n) {
        gather = n;
    }

    /** Resets every held connection, and from now on each one at once. */
    synchronized void release() {
        released = true;
        resetHeld();
    }

    /** True if the socket is now held (reset later); false: the caller closes it, with an RST. */
    private synchronized boolean hold(Socket s) throws IOException {
        s.setSoLinger(true, 0);
        if (released || gather <= 1) {
            return false;
        }
        held.add(s);
        if (held.size() >= gather) {
            resetHeld();
        }
        return true;
    }

    private void resetHeld() {
        for (Socket h : held) {
            try {
                h.close();
            } catch (IOException e) {
                // already gone
            }
        }
        held.clear();
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            sb.append((char) c);
            int n = sb.length();
            if (n >= 4 && sb.charAt(n - 4) == '\r' && sb.charAt(n - 3) == '\n' && sb.charAt(n - 2) == '\r'
                    && sb.charAt(n - 1) == '\n') {
                return sb.toString();
            }
        }
        return null;
    }

    private static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Long.parseLong(line.substring(15).trim());
            }
        }
        return 0;
    }

    @Override
    public void close() throws IOException {
        release();
        server.close();
        threads.shutdownNow();
    }
}
