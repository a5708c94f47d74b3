package io.edgeway.dataplane.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * How the proxy proves itself to the control plane. Default: mTLS, with a join token for the first start
 * (EDGEWAY_JOIN_TOKEN, or EDGEWAY_JOIN_TOKEN_FILE naming a file that holds it). Insecure plaintext only when
 * EDGEWAY_CONTROL_PLANE_INSECURE_PLAINTEXT=true, for a control plane started the same way on loopback.
 */
public record ControlPlaneAuth(boolean insecurePlaintext, String joinToken) {
    public static final ControlPlaneAuth INSECURE_PLAINTEXT = new ControlPlaneAuth(true, null);

    public static ControlPlaneAuth joining(String token) {
        return new ControlPlaneAuth(false, token);
    }

    public static ControlPlaneAuth from(Map<String, String> env) {
        String insecure = env.getOrDefault("EDGEWAY_CONTROL_PLANE_INSECURE_PLAINTEXT", "false").trim();
        if (!insecure.equals("true") && !insecure.equals("false")) {
            throw new IllegalArgumentException("EDGEWAY_CONTROL_PLANE_INSECURE_PLAINTEXT: " + insecure + " (expected: true or false)");
        }
        String token = env.get("EDGEWAY_JOIN_TOKEN");
        String file = env.get("EDGEWAY_JOIN_TOKEN_FILE");
        if ((token == null || token.isBlank()) && file != null && !file.isBlank() && Files.exists(Path.of(file))) {
            try {
                token = Files.readString(Path.of(file), StandardCharsets.US_ASCII).trim();
            } catch (IOException e) {
                throw new UncheckedIOException("EDGEWAY_JOIN_TOKEN_FILE: " + file, e);
            }
        }
        if (token != null && !token.isBlank()) {
            JoinToken.parse(token); // a typo fails at start, not at the first connection
        }
        return new ControlPlaneAuth(insecure.equals("true"), token == null || token.isBlank() ? null : token.trim());
    }

    public ControlChannel open(Path dataDir, String nodeId) {
        return insecurePlaintext ? ControlChannel.insecurePlaintext() : ControlChannel.secure(dataDir, nodeId, joinToken);
    }

    @Override
    public String toString() {
        return "ControlPlaneAuth[" + (insecurePlaintext ? "insecure plaintext" : "mTLS, join token " + (joinToken == null ? "none" : "***")) + "]";
    }
}
