package io.edgeway.dataplane;

import io.edgeway.dataplane.tls.SelfSigned;
import io.edgeway.proto.v1.Certificate;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Certificates for the TLS tests (made in memory, written as PEM files for curl and openssl) and a process runner. */
final class TlsTestSupport {
    private TlsTestSupport() {}

    /** A self-signed certificate for {@code names}, its PEM files under {@code dir} as {@code <name>.pem}. */
    record TestCert(String name, SelfSigned.Pem pem, Path certFile) {
        Certificate proto(String... snis) {
            return Certificate.newBuilder().setName(name).setCertChainPem(pem.certChainPem())
                    .setPrivateKeyPem(pem.privateKeyPem()).addAllSnis(List.of(snis)).build();
        }
    }

    static TestCert cert(Path dir, String name, String keyType, String... dnsNames) {
        SelfSigned.Pem pem = SelfSigned.create(keyType, List.of(dnsNames), Duration.ofDays(2));
        Path file = dir.resolve(name + ".pem");
        try {
            Files.writeString(file, pem.certChainPem());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new TestCert(name, pem, file);
    }

    /** A JDK client context trusting exactly these certificates. */
    static SSLContext trusting(TestCert... certs) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        for (TestCert c : certs) {
            ks.setCertificateEntry(c.name(), cf.generateCertificate(
                    new ByteArrayInputStream(c.pem().certChainPem().getBytes(StandardCharsets.US_ASCII))));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    record Run(int exit, String output) {}

    /** Runs a command (curl, openssl) with stdin closed; stdout and stderr together. */
    static Run run(String... command) throws Exception {
        return runWithInput("", command);
    }

    /** As {@link #run}, writing {@code input} to its stdin first. */
    static Run runWithInput(String input, String... command) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.US_ASCII));
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", command));
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** curl to https://{@code host}:{@code port}{@code path} resolved to 127.0.0.1, verifying against {@code ca}. */
    static Run curl(String host, int port, String path, Path ca, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "--resolve", host + ":" + port + ":127.0.0.1",
                "--cacert", ca.toString(), "-w", "\\n%{http_version}"));
        cmd.addAll(List.of(extra));
        cmd.add("https://" + host + ":" + port + path);
        return run(cmd.toArray(String[]::new));
    }

    static Run sClient(int port, String... args) throws Exception {
        return sClientWithInput("", port, args);
    }

    static Run sClientWithInput(String input, int port, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port));
        cmd.addAll(List.of(args));
        return runWithInput(input, cmd.toArray(String[]::new));
    }
}
