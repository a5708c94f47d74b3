package io.edgeway.dataplane.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;

/**
 * The node's key, certificate and the control plane CA, in the data directory with mode 0600, so a restarted
 * proxy reconnects without its join token. The certificate file's modification time is when it was issued
 * (by the local clock), which the renewal schedule needs.
 */
record NodeCredentialFiles(Path dir) {
    record Stored(PrivateKey key, X509Certificate certificate, X509Certificate ca, Instant receivedAt) {
        @Override
        public String toString() {
            return "Stored[key=***, certificate=" + certificate.getSubjectX500Principal() + ", receivedAt=" + receivedAt + "]";
        }
    }

    private Path key() {
        return dir.resolve("node-key.pem");
    }

    private Path cert() {
        return dir.resolve("node-cert.pem");
    }

    private Path ca() {
        return dir.resolve("control-plane-ca.pem");
    }

    Optional<Stored> load() throws IOException {
        if (!Files.exists(key()) || !Files.exists(cert()) || !Files.exists(ca())) {
            return Optional.empty();
        }
        return Optional.of(new Stored(Pems.privateKey(Files.readString(key(), StandardCharsets.US_ASCII)),
                Pems.certificates(Files.readString(cert(), StandardCharsets.US_ASCII)).get(0),
                Pems.certificates(Files.readString(ca(), StandardCharsets.US_ASCII)).get(0),
                Files.getLastModifiedTime(cert()).toInstant()));
    }

    /** Key first, certificate last: a crash in between leaves a certificate that does not match, which load() rejects. */
    void store(PrivateKey key, X509Certificate certificate, X509Certificate ca) throws IOException {
        Files.createDirectories(dir);
        Pems.writePrivate(ca(), Pems.pem(ca));
        Pems.writePrivate(key(), Pems.pem(key));
        Pems.writePrivate(cert(), Pems.pem(certificate));
    }
}
