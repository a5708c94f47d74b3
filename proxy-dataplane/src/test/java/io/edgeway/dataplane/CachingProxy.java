package io.edgeway.dataplane;

import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.Route;
import io.edgeway.proto.v1.RouteCache;
import io.edgeway.proto.v1.Snapshot;
import io.edgeway.proto.v1.Upstream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A real proxy whose one route (host cache.test) caches, in front of a {@link CacheTarget}; and a raw client. */
final class CachingProxy implements AutoCloseable {
    static final String HOST = "cache.test";
    final TestControlPlane cp;
    final DataPlane dp;

    private CachingProxy(TestControlPlane cp, DataPlane dp) {
        this.cp = cp;
        this.dp = dp;
    }

    static CachingProxy start(Path dataDir, int targetPort, RouteCache.Builder cache) throws Exception {
        TestControlPlane cp = new TestControlPlane(0);
        DataPlane dp = DataPlane.start(Settings.forTest(cp.port(), dataDir));
        cp.push(snapshot(targetPort, cache));
        await().until(() -> cp.answered(2, true));
        return new CachingProxy(cp, dp);
    }

    /** As above, with the proxy's response cache given (a small memory tier, a disk tier). */
    static CachingProxy start(Path dataDir, int targetPort, RouteCache.Builder cache,
            io.edgeway.dataplane.cache.ResponseCache responseCache) throws Exception {
        TestControlPlane cp = new TestControlPlane(0);
        DataPlane dp = DataPlane.start(Settings.forTest(cp.port(), dataDir), responseCache);
        cp.push(snapshot(targetPort, cache));
        await().until(() -> cp.answered(2, true));
        return new CachingProxy(cp, dp);
    }

    /** As above, with the proxy's settings made for the test control plane's port (e.g. one event loop). */
    static CachingProxy start(java.util.function.IntFunction<Settings> settings, int targetPort,
            RouteCache.Builder cache, io.edgeway.dataplane.cache.ResponseCache responseCache) throws Exception {
        TestControlPlane cp = new TestControlPlane(0);
        DataPlane dp = DataPlane.start(settings.apply(cp.port()), responseCache);
        cp.push(snapshot(targetPort, cache));
        await().until(() -> cp.answered(2, true));
        return new CachingProxy(cp, dp);
    }

    static Snapshot snapshot(int targetPort, RouteCache.Builder cache) {
        Upstream.Builder up = Upstream.newBuilder().setName("origin").addTargets(OneRouteProxy.loopback(targetPort));
        return Snapshot.newBuilder().setVersion(2).setNonce("n2").addUpstreams(up)
                .addRoutes(Route.newBuilder().setName("cached").addHosts(HOST).addHosts("*.cache.test")
                        .setUpstream("origin").setCache(cache))
                .addRoutes(Route.newBuilder().setName("keyed").addHosts("keyed.test").setUpstream("origin")
                        .setCache(cache.clone().addKeyHeaders("X-Tenant")))
                .build();
    }

    int port() {
        return dp.proxyPort();
    }

    /** An answer as the client read it: status, header fields (lower-case names, joined with ", "), body. */
    record Answer(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name);
        }

        String cacheStatus() {
            return headers.get("cache-status");
        }
    }

    /** GET {@code path} on a new connection that closes after the answer; extra lines are "Name: value". */
    Answer get(String path, String... fields) throws IOException {
        return send("GET", path, HOST, fields);
    }

    Answer send(String method, String path, String host, String... fields) throws IOException {
        StringBuilder req = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ")
                .append(host).append("\r\nConnection: close\r\n");
        for (String f : fields) {
            req.append(f).append("\r\n");
        }
        return raw(req.append("\r\n").toString(), !method.equals("HEAD"));
    }

    Answer raw(String request, boolean bodyExpected) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port())) {
            s.setSoTimeout(15_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            if (end < 0) {
                return new Answer(-1, Map.of(), text);
            }
            String[] lines = text.substring(0, end).split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim(), (a, b) -> a + ", " + b);
            }
            String body = text.substring(end + 4);
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = dechunk(body);
            }
            return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, bodyExpected ? body : "");
        }
    }

    private static String dechunk(String s) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (true) {
            int eol = s.indexOf("\r\n", i);
            int size = Integer.parseInt(s.substring(i, eol).trim(), 16);
            if (size == 0) {
                return out.toString();
            }
            out.append(s, eol + 2, eol + 2 + size);
            i = eol + 2 + size + 2;
        }
    }

    @Override
    public void close() throws Exception {
        dp.close();
        cp.close();
    }
}
