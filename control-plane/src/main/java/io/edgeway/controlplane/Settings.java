package io.edgeway.controlplane;

import static java.util.Objects.requireNonNull;

import io.edgeway.controlplane.tls.AdminTls;
import io.edgeway.controlplane.tls.GrpcSecurity;
import java.nio.file.Path;
import java.util.Map;

/**
 * How a control plane is started. Without {@code dbUrl} it runs its own PostgreSQL in
 * {@code <dataDir>/postgres}, kept across restarts. A port of 0 picks a free one.
 *
 * <pre>
 * EDGEWAY_DB_URL, EDGEWAY_DB_USER, EDGEWAY_DB_PASSWORD   external PostgreSQL (JDBC URL)
 * EDGEWAY_DB_PASSWORD_FILE, EDGEWAY_ADMIN_TOKEN_FILE   the same secrets read from a file (systemd credentials)
 * EDGEWAY_DATA_DIR        ./data      embedded PostgreSQL lives in its postgres/ subdirectory
 * EDGEWAY_ADMIN_ADDRESS   127.0.0.1   admin API and web UI
 * EDGEWAY_ADMIN_PORT      8001
 * EDGEWAY_GRPC_ADDRESS    0.0.0.0     ConfigDiscovery for the proxies
 * EDGEWAY_GRPC_PORT       8005
 * EDGEWAY_ADMIN_TOKEN     (none)      made an admin token at start; without it and without any stored token,
 *                                     one is generated into &lt;dataDir&gt;/admin-token (loopback admin only)
 * EDGEWAY_GRPC_INSECURE_PLAINTEXT, EDGEWAY_GRPC_TLS_NAMES, EDGEWAY_NODE_CERT_LIFETIME, EDGEWAY_BOOTSTRAP_JOIN_TOKEN_FILE
 *                                     the control channel: see {@link GrpcSecurity}
 * EDGEWAY_ADMIN_TLS_CERT_FILE, EDGEWAY_ADMIN_TLS_KEY_FILE   HTTPS for the admin API: see {@link AdminTls}
 * EDGEWAY_MASTER_KEY, EDGEWAY_MASTER_KEY_FILE   the key encrypting certificate private keys; read by
 *                                     {@code MasterKey} (without either, generated into &lt;dataDir&gt;/master-key)
 * EDGEWAY_REVISION_POLL   1s          how often a replica reads the config revision even without a NOTIFY
 *                                     (read by {@code ControlPlane.start})
 * EDGEWAY_REVOCATION_POLL 5s          how often a replica reads revoked node certificates even without a NOTIFY
 *                                     (read by {@code ControlChannelServer.start})
 * </pre>
 */
public record Settings(String dbUrl, String dbUser, String dbPassword, Path dataDir,
                       String adminAddress, int adminPort, String grpcAddress, int grpcPort, String adminToken,
                       GrpcSecurity grpcSecurity, AdminTls adminTls) {
    /** Tokens are stored as a fast hash (SHA-256), which is only safe for secrets too long to guess. */
    static final int MIN_TOKEN_LENGTH = 16;

    /** Secure defaults: mTLS on gRPC, plain HTTP admin API. */
    public Settings(String dbUrl, String dbUser, String dbPassword, Path dataDir,
                    String adminAddress, int adminPort, String grpcAddress, int grpcPort, String adminToken) {
        this(dbUrl, dbUser, dbPassword, dataDir, adminAddress, adminPort, grpcAddress, grpcPort, adminToken, GrpcSecurity.DEFAULTS, null);
    }

    public Settings {
        requireNonNull(dataDir, "dataDir");
        requireNonNull(grpcSecurity, "grpcSecurity");
        requireNonNull(adminAddress, "adminAddress");
        requireNonNull(grpcAddress, "grpcAddress");
        checkPort("adminPort", adminPort);
        checkPort("grpcPort", grpcPort);
        grpcSecurity.checkBind(grpcAddress);
        if (adminToken != null && adminToken.length() < MIN_TOKEN_LENGTH) {
            // never echo the value: it is a secret, even a bad one
            throw new IllegalArgumentException("EDGEWAY_ADMIN_TOKEN: " + adminToken.length() + " characters (expected: at least "
                    + MIN_TOKEN_LENGTH + " random ones, e.g. `openssl rand -hex 32`)");
        }
        if (dbUrl != null && !dbUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("EDGEWAY_DB_URL: " + dbUrl + " (expected: jdbc:postgresql://host:port/database)");
        }
    }

    public static Settings fromEnv() {
        return fromEnv(System.getenv());
    }

    public static Settings fromEnv(Map<String, String> env) {
        requireNonNull(env, "env");
        return new Settings(
                blankToNull(env.get("EDGEWAY_DB_URL")),
                blankToNull(env.get("EDGEWAY_DB_USER")),
                SecretSetting.read(env, "EDGEWAY_DB_PASSWORD"),
                Path.of(env.getOrDefault("EDGEWAY_DATA_DIR", "./data")),
                env.getOrDefault("EDGEWAY_ADMIN_ADDRESS", "127.0.0.1"),
                port(env, "EDGEWAY_ADMIN_PORT", 8001),
                env.getOrDefault("EDGEWAY_GRPC_ADDRESS", "0.0.0.0"),
                port(env, "EDGEWAY_GRPC_PORT", 8005),
                SecretSetting.read(env, "EDGEWAY_ADMIN_TOKEN"),
                GrpcSecurity.fromEnv(env),
                AdminTls.fromEnv(env));
    }

    /** External database, loopback only, ephemeral ports: what tests and embedding callers want. */
    public static Settings forDatabase(String url, String user, String password) {
        // Insecure plaintext gRPC on loopback: what the tests' in-process proxies speak unless a test opts into mTLS.
        return new Settings(requireNonNull(url, "url"), user, password, Path.of("./data"), "127.0.0.1", 0, "127.0.0.1", 0, null,
                GrpcSecurity.INSECURE_PLAINTEXT, null);
    }

    /** Embedded database in {@code dataDir}, loopback only, ephemeral ports. */
    public static Settings embedded(Path dataDir) {
        return new Settings(null, null, null, dataDir, "127.0.0.1", 0, "127.0.0.1", 0, null, GrpcSecurity.INSECURE_PLAINTEXT, null);
    }

    /** The same settings with {@code token} as EDGEWAY_ADMIN_TOKEN. */
    public Settings withAdminToken(String token) {
        return new Settings(dbUrl, dbUser, dbPassword, dataDir, adminAddress, adminPort, grpcAddress, grpcPort, token,
                grpcSecurity, adminTls);
    }

    public Settings withGrpcSecurity(GrpcSecurity security) {
        return new Settings(dbUrl, dbUser, dbPassword, dataDir, adminAddress, adminPort, grpcAddress, grpcPort, adminToken,
                security, adminTls);
    }

    public Settings withAdminTls(AdminTls tls) {
        return new Settings(dbUrl, dbUser, dbPassword, dataDir, adminAddress, adminPort, grpcAddress, grpcPort, adminToken,
                grpcSecurity, tls);
    }

    public Settings withDataDir(Path dir) {
        return new Settings(dbUrl, dbUser, dbPassword, dir, adminAddress, adminPort, grpcAddress, grpcPort, adminToken,
                grpcSecurity, adminTls);
    }

    /** Secrets stay out of logs and exception messages. */
    @Override
    public String toString() {
        return "Settings[dbUrl=" + dbUrl + ", dbUser=" + dbUser + ", dataDir=" + dataDir + ", admin=" + adminAddress + ":"
                + adminPort + ", grpc=" + grpcAddress + ":" + grpcPort + ", adminToken=" + (adminToken == null ? "none" : "***") + ", " + grpcSecurity + ", adminTls=" + adminTls + "]";
    }

    private static int port(Map<String, String> env, String name, int fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: 0-65535)");
        }
    }

    private static void checkPort(String name, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(name + ": " + port + " (expected: 0-65535)");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
