package io.edgeway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.controlplane.TestDatabase;
import io.edgeway.controlplane.cli.EdgewayCtl;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's fleet test with every part real: the Vite-built React app deployed with {@code edgeway ctl site
 * deploy} to a control-plane process, served with SPA fallback by two proxy processes, a second build switched in
 * while clients load pages on both proxies, then rolled back. A page is consistent when every asset its
 * index.html names is served with that build's bytes; a proxy that mixed builds would serve an index.html whose
 * asset is missing or another build's.
 */
class SiteFleetTest {
    /** The fixture (React 18 + Vite, built twice: see its RECIPE.md), in the proxy module's test resources. */
    static final Path APP = Path.of("..", "proxy-dataplane", "src", "test", "resources", "sites", "react-app");
    static final Pattern ASSET = Pattern.compile("/assets/[A-Za-z0-9_.-]+\\.(?:js|css)");

    @TempDir
    Path dir;
    private final List<AutoCloseable> started = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
    }

    @Test
    void aDeploymentSwitchesAtOnceOnTwoProxiesUnderLoadAndRollsBack() throws Exception {
        String db = TestDatabase.create(SiteFleetTest.class).url();
        JavaProcess cp = track(Fleet.controlPlane(db, Fleet.freePort(), Fleet.freePort(), dir.resolve("cp")));
        AdminClient admin = new AdminClient(cp.ready("admin"));
        int grpc = Integer.parseInt(cp.ready("grpc"));
        assertThat(ctl(cp, "site", "deploy", "--name", "shop", APP.resolve("dist").toString(), "--activate"))
                .isZero();
        AdminClient.Reply route = admin.post("/api/v1/routes",
                "{\"name\":\"app\",\"paths\":[\"/\"],\"site\":{\"name\":\"shop\",\"spa\":true}}");
        assertThat(route.status()).as("route %s", route.body()).isEqualTo(201);
        List<Integer> ports = new ArrayList<>();
        List<String> nodes = new ArrayList<>();
        for (String name : List.of("proxy-a", "proxy-b")) {
            JavaProcess p = track(Fleet.proxy(name, grpc, dir.resolve(name), Fleet.freePort(), Fleet.freePort(), Map.of()));
            ports.add(Integer.parseInt(p.ready("proxy")));
            nodes.add(p.ready("node"));
        }
        Fleet.awaitApplied(admin, nodes, route.revision());

        Map<String, String> v1 = build("dist");
        Map<String, String> v2 = build("dist-v2");
        assertThat(v1.keySet().stream().filter(k -> k.startsWith("/assets/")))
                .as("the two builds name different assets").doesNotContainAnyElementsOf(v2.keySet());
        for (int port : ports) {
            assertThat(consistentPage(port, v1)).isTrue();
            HttpResponse<String> spa = Fleet.get(port, "/orders/42");
            assertThat(spa.statusCode()).as("a client-side route answers index.html").isEqualTo(200);
            assertThat(spa.body()).isEqualTo(Files.readString(APP.resolve("dist/index.html")));
            assertThat(Fleet.get(port, "/missing.js").statusCode()).as("a missing file with an extension").isEqualTo(404);
        }

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger pages = new AtomicInteger();
        Set<String> broken = ConcurrentHashMap.newKeySet();
        Set<String> seenBuilds = ConcurrentHashMap.newKeySet();
        List<Thread> clients = new ArrayList<>();
        for (int port : ports) {
            for (int c = 0; c < 2; c++) {
                clients.add(new Thread(() -> {
                    while (!stop.get()) {
                        try {
                            String build = pageBuild(port, v1, v2);
                            seenBuilds.add(build);
                            pages.incrementAndGet();
                        } catch (Exception | AssertionError e) {
                            broken.add(port + ": " + e.getMessage());
                        }
                    }
                }));
            }
        }
        clients.forEach(Thread::start);
        Thread.sleep(500);
        assertThat(ctl(cp, "site", "deploy", "--name", "shop", APP.resolve("dist-v2").toString(), "--activate"))
                .isZero();
        awaitServing(ports, v2);
        Thread.sleep(500);
        assertThat(ctl(cp, "site", "rollback", "shop")).isZero();
        awaitServing(ports, v1);
        Thread.sleep(300);
        stop.set(true);
        for (Thread t : clients) {
            t.join();
        }
        assertThat(broken).as("pages that mixed builds or failed, out of %d", pages.get()).isEmpty();
        assertThat(seenBuilds).as("the load saw both builds").containsExactlyInAnyOrder("dist", "dist-v2");
        for (int port : ports) {
            assertThat(consistentPage(port, v1)).as("rolled back on port %d", port).isTrue();
        }
    }

    private JavaProcess track(JavaProcess p) {
        started.add(p);
        return p;
    }

    private int ctl(JavaProcess cp, String... args) {
        StringWriter out = new StringWriter();
        var cl = EdgewayCtl.commandLine(Map.of("EDGEWAY_ADMIN_URL", cp.ready("admin"), "EDGEWAY_ADMIN_TOKEN", AdminClient.TOKEN));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(out, true));
        int code = cl.execute(args);
        System.out.println("edgeway ctl " + String.join(" ", args) + " -> " + code + "\n" + out);
        return code;
    }

    /** A build's files as the browser asks for them: "/assets/index-x.js" → its text. */
    private static Map<String, String> build(String name) throws Exception {
        Map<String, String> files = new java.util.HashMap<>();
        try (Stream<Path> walk = Files.walk(APP.resolve(name).resolve("assets"))) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put("/assets/" + p.getFileName(), Files.readString(p));
            }
        }
        files.put("/index.html", Files.readString(APP.resolve(name).resolve("index.html")));
        return files;
    }

    /** Whether the page at / is exactly {@code build}: its index.html and every asset it names. */
    private static boolean consistentPage(int port, Map<String, String> build) throws Exception {
        HttpResponse<String> index = Fleet.get(port, "/");
        if (index.statusCode() != 200 || !index.body().equals(build.get("/index.html"))) {
            return false;
        }
        Matcher m = ASSET.matcher(index.body());
        while (m.find()) {
            HttpResponse<String> asset = Fleet.get(port, m.group());
            if (asset.statusCode() != 200 || !asset.body().equals(build.get(m.group()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Loads / and every asset it names, and answers which build the page was. An asset answered with other bytes
     * than its build's fails, and so does a 404 for one of them while / still serves that build: a proxy that
     * switched index.html before it had the new assets (or dropped the old ones first) fails here. A 404 after / moved
     * on to the other build is what a browser sees during any deploy, and is not a mix.
     */
    private static String pageBuild(int port, Map<String, String> v1, Map<String, String> v2) throws Exception {
        HttpResponse<String> index = Fleet.get(port, "/");
        String body = index.body();
        Map<String, String> build = body.equals(v1.get("/index.html")) ? v1 : body.equals(v2.get("/index.html")) ? v2 : null;
        if (index.statusCode() != 200 || build == null) {
            throw new AssertionError("index.html " + index.statusCode() + " is neither build");
        }
        Matcher m = ASSET.matcher(body);
        while (m.find()) {
            HttpResponse<String> asset = Fleet.get(port, m.group());
            if (asset.statusCode() == 404 && !Fleet.get(port, "/").body().equals(body)) {
                continue; // the switch happened between the index and this asset: the old build's file is gone
            }
            if (asset.statusCode() != 200 || !asset.body().equals(build.get(m.group()))) {
                throw new AssertionError(m.group() + " answered " + asset.statusCode() + " with other bytes than its build's");
            }
        }
        return build == v1 ? "dist" : "dist-v2";
    }

    private static void awaitServing(List<Integer> ports, Map<String, String> build) {
        org.awaitility.Awaitility.await().atMost(Fleet.CONVERGE).until(() -> {
            for (int port : ports) {
                if (!consistentPage(port, build)) {
                    return false;
                }
            }
            return true;
        });
    }
}
