package io.edgeway.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.controlplane.store.MasterKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Certificates and keys made by the openssl binary in a temporary directory, as an operator would make
 * them, and the fixed master key the certificate tests start their control planes with (so they can
 * decrypt what the store wrote and never generate a key file into the working directory).
 */
public final class TestCerts {
    public static final String MASTER_KEY = Base64.getEncoder().encodeToString(new byte[32]).replace('A', 'Q');

    /** A PEM certificate and its unencrypted PKCS#8 PEM key. */
    public record Pair(String cert, String key) {
        /** The key's PKCS#8 DER: what the store encrypts. */
        public byte[] keyDer() {
            return Base64.getDecoder().decode(key.replaceAll("-----[A-Z ]+-----|\\s", ""));
        }
    }

    private final Path dir;

    public TestCerts() {
        try {
            dir = Files.createTempDirectory("edgeway-certs");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The environment giving a control plane {@link #MASTER_KEY}. */
    public static Map<String, String> env() {
        return Map.of("EDGEWAY_MASTER_KEY", MASTER_KEY);
    }

    /** The master key the test control planes use, to decrypt what they stored. */
    public static MasterKey masterKey() {
        return MasterKey.from(env(), Path.of("unused"));
    }

    /** A self-signed P-256 certificate for {@code cn}, valid two days; files {@code <name>.pem} and {@code <name>.key}. */
    public Pair ec(String name, String cn) {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=" + cn,
                "-keyout", name + ".key", "-out", name + ".pem", "-days", "2");
        return new Pair(read(name + ".pem"), read(name + ".key"));
    }

    /** A self-signed RSA-2048 certificate for {@code cn}, valid thirty days. */
    public Pair rsa(String name, String cn) {
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + cn,
                "-keyout", name + ".key", "-out", name + ".pem", "-days", "30");
        return new Pair(read(name + ".pem"), read(name + ".key"));
    }

    /**
     * {@code text} holds no part of any of the keys: no PEM key block, and no stretch of a key's base64
     * that is not also in its certificate (an EC key's PKCS#8 repeats the public point the certificate has).
     */
    public static void assertNoKeyIn(String text, Pair... pairs) {
        assertThat(text).doesNotContain("PRIVATE KEY");
        for (Pair p : pairs) {
            String key = p.key().replaceAll("-----[A-Z ]+-----|\\s", "");
            String cert = p.cert().replaceAll("-----[A-Z ]+-----|\\s", "");
            for (int i = 0; i + 24 <= key.length(); i += 12) {
                String window = key.substring(i, i + 24);
                if (!cert.contains(window)) {
                    assertThat(text).doesNotContain(window);
                }
            }
        }
    }

    public String read(String file) {
        try {
            return Files.readString(dir.resolve(file), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs openssl in the directory; fails the test unless it exits 0. */
    public void openssl(String... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + output).isZero();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
