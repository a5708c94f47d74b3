package io.edgeway.controlplane.tls;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How the gRPC port is secured.
 *
 * <pre>
 * EDGEWAY_GRPC_INSECURE_PLAINTEXT     false  true: no TLS, the Hello's node id is believed; refused unless
 *                                            EDGEWAY_GRPC_ADDRESS is a loopback address
 * EDGEWAY_GRPC_TLS_NAMES              (none) extra DNS names / IPs for the gRPC server certificate, comma-separated
 *                                            (localhost and 127.0.0.1 are always in it)
 * EDGEWAY_NODE_CERT_LIFETIME          24h    lifetime of node client certificates (renewed at 2/3 of it)
 * EDGEWAY_BOOTSTRAP_JOIN_TOKEN_FILE   (none) at each start, write a fresh 1-hour join token "bootstrap" here
 *                                            (mode 0600): how `./edgeway up` lets its own proxy join
 * EDGEWAY_CA_CERT_FILE, EDGEWAY_CA_KEY_FILE   the CA, read by {@link CertificateAuthority}
 * </pre>
 */
public record GrpcSecurity(boolean insecurePlaintext, List<String> tlsNames, Duration nodeCertLifetime,
                           Path bootstrapJoinTokenFile) {
    public static final Duration DEFAULT_LIFETIME = Duration.ofHours(24);
    public static final GrpcSecurity DEFAULTS = new GrpcSecurity(false, List.of(), DEFAULT_LIFETIME, null);
    /** For tests and embedding on loopback: what the existing proxies in tests speak. */
    public static final GrpcSecurity INSECURE_PLAINTEXT = new GrpcSecurity(true, List.of(), DEFAULT_LIFETIME, null);

    public GrpcSecurity {
        tlsNames = List.copyOf(tlsNames);
        requireNonNull(nodeCertLifetime, "nodeCertLifetime");
        if (nodeCertLifetime.compareTo(Duration.ofSeconds(3)) < 0 || nodeCertLifetime.compareTo(Duration.ofDays(366)) > 0) {
            throw new IllegalArgumentException("EDGEWAY_NODE_CERT_LIFETIME: " + Lifetimes.format(nodeCertLifetime)
                    + " (expected: 3s to 366d)");
        }
    }

    public static GrpcSecurity fromEnv(Map<String, String> env) {
        String insecure = env.getOrDefault("EDGEWAY_GRPC_INSECURE_PLAINTEXT", "false").trim();
        if (!insecure.equals("true") && !insecure.equals("false")) {
            throw new IllegalArgumentException("EDGEWAY_GRPC_INSECURE_PLAINTEXT: " + insecure + " (expected: true or false)");
        }
        List<String> names = new ArrayList<>();
        for (String n : env.getOrDefault("EDGEWAY_GRPC_TLS_NAMES", "").split(",")) {
            if (!n.isBlank()) {
                names.add(n.trim());
            }
        }
        String lifetime = env.get("EDGEWAY_NODE_CERT_LIFETIME");
        String bootstrap = env.get("EDGEWAY_BOOTSTRAP_JOIN_TOKEN_FILE");
        return new GrpcSecurity(insecure.equals("true"), names,
                lifetime == null || lifetime.isBlank() ? DEFAULT_LIFETIME : lifetime(lifetime),
                bootstrap == null || bootstrap.isBlank() ? null : Path.of(bootstrap.trim()));
    }

    private static Duration lifetime(String text) {
        Duration d = Lifetimes.parseOrNull(text);
        if (d == null) {
            throw new IllegalArgumentException("EDGEWAY_NODE_CERT_LIFETIME: " + text + " (expected: a duration like 30s, 12h or 7d)");
        }
        return d;
    }

    public GrpcSecurity withNodeCertLifetime(Duration lifetime) {
        return new GrpcSecurity(insecurePlaintext, tlsNames, lifetime, bootstrapJoinTokenFile);
    }

    public GrpcSecurity withBootstrapJoinTokenFile(Path file) {
        return new GrpcSecurity(insecurePlaintext, tlsNames, nodeCertLifetime, file);
    }

    /** Plaintext gRPC hands every route and certificate key to whoever connects: never beyond this host. */
    public void checkBind(String grpcAddress) {
        if (!insecurePlaintext) {
            return;
        }
        boolean loopback;
        try {
            loopback = InetAddress.getByName(grpcAddress).isLoopbackAddress();
        } catch (UnknownHostException e) {
            loopback = false;
        }
        if (!loopback) {
            throw new IllegalArgumentException("EDGEWAY_GRPC_INSECURE_PLAINTEXT=true with EDGEWAY_GRPC_ADDRESS=" + grpcAddress
                    + " (expected: a loopback address such as 127.0.0.1; anywhere else the config stream needs TLS)");
        }
    }

    /** The server certificate's names: localhost and 127.0.0.1 always, then the configured ones. */
    public List<String> serverNames() {
        List<String> out = new ArrayList<>(List.of("localhost", "127.0.0.1"));
        tlsNames.stream().filter(n -> !out.contains(n)).forEach(out::add);
        return out;
    }
}
