package io.edgeway.controlplane.acme;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * HTTPS requests on new connections (so each handshake picks the certificate served at that moment), verified
 * against the CA's root and the host name, counted by the leaf's fingerprint; any failure is counted too.
 */
final class TlsLoad implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Map<String, AtomicLong> byLeaf = new ConcurrentHashMap<>();
    private final AtomicInteger failures = new AtomicInteger();
    private final List<String> failureReasons = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    static TlsLoad start(SSLContext trust, int port, String host, int clients) {
        TlsLoad load = new TlsLoad();
        for (int i = 0; i < clients; i++) {
            Thread t = new Thread(() -> {
                while (load.running.get()) {
                    try {
                        load.byLeaf.computeIfAbsent(request(trust, port, host), k -> new AtomicLong()).incrementAndGet();
                    } catch (Exception e) {
                        load.failures.incrementAndGet();
                        load.failureReasons.add(e.toString());
                    }
                }
            }, "tls-load-" + i);
            t.start();
            load.threads.add(t);
        }
        return load;
    }

    /** One GET / over a new TLS connection; the SHA-256 fingerprint of the leaf served. Throws unless it is a 200. */
    static String request(SSLContext trust, int port, String host) throws Exception {
        try (SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(List.of(new SNIHostName(host)));
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            s.startHandshake();
            byte[] leaf = s.getSession().getPeerCertificates()[0].getEncoded();
            s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = readAll(s.getInputStream());
            if (!answer.startsWith("HTTP/1.1 200")) {
                throw new IOException("answer: " + answer.lines().findFirst().orElse("(none)"));
            }
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(leaf));
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    long served(String fingerprint) {
        AtomicLong n = byLeaf.get(fingerprint);
        return n == null ? 0 : n.get();
    }

    int failures() {
        return failures.get();
    }

    String firstFailure() {
        return failureReasons.isEmpty() ? "none" : failureReasons.get(0);
    }

    void stop() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(30_000);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
