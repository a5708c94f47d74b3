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
 * FIN racing the proxy's next use of it); {@link Mode#CLOSE_ON_ARRIVAL} keeps it open and instead closes it,
 * without answering, the moment a request arrives on it after that long idle: the request is already
 * written when the close (an RST, since it is unread) arrives. Answers {@code 200 ok}; reads bodies by
 * Content-Length.
 */
final class KeepAliveBackend implements AutoCloseable {
    enum Mode { IDLE_CLOSE, CLOSE_ON_ARRIVAL }

    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger answered = new AtomicInteger();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger racedCloses = new AtomicInteger();
    private final Mode mode;
    private final int keepAliveMs;
    private final ServerSocket server;
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
        try (s) {
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
                    return; // idle for keepAliveMs since the last response: FIN
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
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                answered.incrementAndGet();
                lastResponse = System.nanoTime();
            }
        } catch (IOException e) {
            // the proxy went away
        }
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
        server.close();
        threads.shutdownNow();
    }
}
