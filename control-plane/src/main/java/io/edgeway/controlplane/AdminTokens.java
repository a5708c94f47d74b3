package io.edgeway.controlplane;

import io.edgeway.controlplane.store.TokenStore;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/** Makes sure the admin API can be used, and only by token holders, before it starts listening. */
final class AdminTokens {
    static final String FILE = "admin-token";

    private AdminTokens() {}

    static void bootstrap(Settings settings, TokenStore tokens) throws IOException {
        if (settings.adminToken() != null) {
            tokens.ensureAdmin(settings.adminToken());
            return;
        }
        if (!isLoopback(settings.adminAddress()) && !tokens.any()) {
            // A generated token would sit in a file on this host while the API is open to the network:
            // the operator has to choose the token on purpose.
            throw new IllegalStateException("admin address " + settings.adminAddress()
                    + " is not loopback and no admin token is configured (expected: EDGEWAY_ADMIN_TOKEN set, "
                    + "or a token created while the admin API listened on 127.0.0.1)");
        }
        Optional<String> issued = tokens.issueInitialIfNone();
        if (issued.isPresent()) {
            Path file = write(settings.dataDir(), issued.get());
            // stdout, not the log: `./edgeway up` and a first-time user look for exactly this line
            System.out.println("edgeway control-plane admin token written to " + file);
            System.out.flush();
        }
    }

    private static Path write(Path dataDir, String token) throws IOException {
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve(FILE).toAbsolutePath();
        Files.deleteIfExists(file);
        // created 0600 before anything is written, so the secret is never readable by others
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
        return file;
    }

    private static boolean isLoopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }
}
