package io.edgeway.controlplane.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Debian's pebble (Let's Encrypt's ACME test server) and pebble-challtestsrv (its DNS, answering 127.0.0.1 for
 * every name) on ephemeral loopback ports, with validation pointed at a proxy's plain and TLS ports. Pebble's
 * own HTTPS certificate is made here with openssl; {@link #caFile()} is what EDGEWAY_ACME_CA_FILE trusts.
 * Missing binaries fail the test with the install command: nothing is skipped.
 */
public final class Pebble implements AutoCloseable {
    private final Path dir;
    private final int acmePort;
    private final int managementPort;
    private final Process dns;
    private final Process pebble;

    private Pebble(Path dir, int acmePort, int managementPort, Process dns, Process pebble) {
        this.dir = dir;
        this.acmePort = acmePort;
        this.managementPort = managementPort;
        this.dns = dns;
        this.pebble = pebble;
    }

    /** Makes pebble's HTTPS certificate in {@code dir}; returns the PEM file to trust. */
    public static Path makeServerCertificate(Path dir) {
        requireInstalled("openssl");
        run(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "pebble-key.pem", "-out", "pebble-cert.pem", "-days", "2", "-subj", "/CN=pebble test",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        return dir.resolve("pebble-cert.pem");
    }

    /**
     * Starts pebble validating HTTP-01 against {@code httpPort} and TLS-ALPN-01 against {@code tlsPort} on
     * 127.0.0.1; {@code env} adds pebble settings (PEBBLE_VA_NOSLEEP is always set).
     */
    public static Pebble start(Path dir, int httpPort, int tlsPort, Map<String, String> env) {
        requireInstalled("pebble");
        requireInstalled("pebble-challtestsrv");
        try {
            Files.createDirectories(dir);
            int dnsPort = freePort();
            int dnsManagement = freePort();
            int acmePort = freePort();
            int managementPort = freePort();
            Process dns = new ProcessBuilder("pebble-challtestsrv", "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "",
                    "-dns01", "127.0.0.1:" + dnsPort, "-http01", "", "-https01", "", "-tlsalpn01", "",
                    "-management", "127.0.0.1:" + dnsManagement)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("challtestsrv.log").toFile()).start();
            Files.writeString(dir.resolve("pebble.json"), """
                    {"pebble": {"listenAddress": "127.0.0.1:%d", "managementListenAddress": "127.0.0.1:%d",
                      "certificate": "%s", "privateKey": "%s", "httpPort": %d, "tlsPort": %d,
                      "ocspResponderURL": "", "externalAccountBindingRequired": false}}"""
                    .formatted(acmePort, managementPort, dir.getParent().resolve("pebble-cert.pem"),
                            dir.getParent().resolve("pebble-key.pem"), httpPort, tlsPort));
            ProcessBuilder pb = new ProcessBuilder("pebble", "-config", dir.resolve("pebble.json").toString(),
                    "-dnsserver", "127.0.0.1:" + dnsPort)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("pebble.log").toFile());
            pb.environment().put("PEBBLE_VA_NOSLEEP", "1");
            pb.environment().put("PEBBLE_WFE_NONCEREJECT", "0");
            pb.environment().putAll(env);
            Process pebble = pb.start();
            Pebble p = new Pebble(dir, acmePort, managementPort, dns, pebble);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> listening(acmePort) && listening(managementPort) && listening(dnsManagement));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String directory() {
        return "https://localhost:" + acmePort + "/dir";
    }

    /** Pebble's root of the certificates it issues (it makes a new one at every start). */
    public String root() throws Exception {
        return management("/roots/0");
    }

    /** Orders pebble created, from its log. */
    public long orders() throws IOException {
        return Files.readAllLines(dir.resolve("pebble.log")).stream().filter(l -> l.contains("Added order")).count();
    }

    public String log() throws IOException {
        return Files.readString(dir.resolve("pebble.log"));
    }

    private String management(String path) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (var in = Files.newInputStream(dir.getParent().resolve("pebble-cert.pem"))) {
            trust.setCertificateEntry("pebble", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        HttpClient client = HttpClient.newBuilder().sslContext(ctx).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + managementPort + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    @Override
    public void close() {
        for (Process p : List.of(pebble, dns)) {
            p.destroy();
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A port free right now, never handed out before in this JVM (see {@link io.edgeway.controlplane.FreePorts}). */
    public static int freePort() throws IOException {
        return io.edgeway.controlplane.FreePorts.next();
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public static void requireInstalled(String command) {
        boolean found = false;
        for (String p : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            found |= Files.isExecutable(Path.of(p, command));
        }
        assertThat(found).as("%s is not installed: apt-get install -y pebble pebble-challtestsrv openssl "
                + "(.ci/run installs them); the ACME tests need a real ACME server and are never skipped", command).isTrue();
    }

    public static String run(Path dir, String... command) {
        try {
            Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s timed out", command[0]).isTrue();
            assertThat(p.exitValue()).as("%s: %s", String.join(" ", command), out).isZero();
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
