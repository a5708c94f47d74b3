package io.edgeway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's HAProxy as the fake cloud load balancer in front of the proxies: health checks on each proxy's
 * {@code /readyz}, keep-alive to the servers, and a CSV stats page the test reads. CI must install the
 * {@code haproxy} package; a missing binary fails the test rather than skipping it.
 */
final class Haproxy implements AutoCloseable {
    record Server(String name, int port, int statusPort) {}

    private final Process process;
    private final int statsPort;
    private final Path log;

    private Haproxy(Process process, int statsPort, Path log) {
        this.process = process;
        this.statsPort = statsPort;
        this.log = log;
    }

    static Haproxy start(Path dir, int frontPort, int statsPort, List<Server> servers) throws IOException {
        Path binary = List.of(Path.of("/usr/sbin/haproxy"), Path.of("/usr/bin/haproxy")).stream()
                .filter(Files::isExecutable).findFirst().orElse(null);
        assertThat(binary).as("haproxy is required (Debian package 'haproxy'; apt-get install -y haproxy)")
                .isNotNull();
        StringBuilder cfg = new StringBuilder("""
                global
                    maxconn 4096
                defaults
                    mode http
                    timeout connect 2s
                    timeout client 30s
                    timeout server 30s
                    timeout http-keep-alive 30s
                    # No retries and no retry-on: a refused or reset connection to a proxy must reach the client
                    # as an error, so the test sees every request the drain would have lost.
                    retries 0
                frontend edge
                    bind 127.0.0.1:%d
                    default_backend proxies
                backend proxies
                    balance roundrobin
                    option httpchk GET /readyz
                    http-reuse safe
                    default-server inter 500ms fall 1 rise 2
                """.formatted(frontPort));
        for (Server s : servers) {
            cfg.append("    server ").append(s.name()).append(" 127.0.0.1:").append(s.port())
                    .append(" check port ").append(s.statusPort()).append('\n');
        }
        cfg.append("""
                listen stats
                    bind 127.0.0.1:%d
                    stats enable
                    stats uri /stats
                """.formatted(statsPort));
        Path file = dir.resolve("haproxy.cfg");
        Files.writeString(file, cfg);
        Path log = dir.resolve("haproxy.log");
        Process p = new ProcessBuilder(binary.toString(), "-f", file.toString(), "-db")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Haproxy(p, statsPort, log);
    }

    /** One row per proxy server plus FRONTEND/BACKEND rows, keyed "pxname/svname", columns by header name. */
    Map<String, Map<String, String>> stats() throws IOException, InterruptedException {
        String csv = Fleet.get(statsPort, "/stats;csv").body();
        String[] lines = csv.split("\n");
        String[] header = lines[0].replaceFirst("^# ", "").split(",", -1);
        Map<String, Map<String, String>> rows = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String[] v = lines[i].split(",", -1);
            Map<String, String> row = new HashMap<>();
            for (int c = 0; c < header.length && c < v.length; c++) {
                row.put(header[c], v[c]);
            }
            rows.put(v[0] + "/" + v[1], row);
        }
        return rows;
    }

    String status(String server) throws IOException, InterruptedException {
        Map<String, String> row = stats().get("proxies/" + server);
        return row == null ? "?" : row.get("status");
    }

    String log() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
