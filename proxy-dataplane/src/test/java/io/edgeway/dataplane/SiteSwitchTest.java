package io.edgeway.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.proto.v1.SiteDeployment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two proxies serve the Vite app under load while the site switches between two builds and back. Every
 * index.html is exactly one build's, and while no switch is under way every asset it names is served, with
 * that build's bytes, by the proxy that served the index.
 */
class SiteSwitchTest {
    static final Pattern ASSET = Pattern.compile("/(assets/index-[A-Za-z0-9_-]{8}\\.(?:js|css))");

    @TempDir
    Path dir;
    TestControlPlane cp;
    final List<DataPlane> proxies = new ArrayList<>();
    final SiteFixture v1 = new SiteFixture("shop", "d1", 1_765_000_000_000L).dir(SiteFixture.viteBuild("dist"));
    final SiteFixture v2 = new SiteFixture("shop", "d2", 1_765_000_100_000L).dir(SiteFixture.viteBuild("dist-v2"));
    /** Odd while a switch is being pushed and applied, even once every proxy acked it. */
    final AtomicLong epoch = new AtomicLong();
    final AtomicInteger requests = new AtomicInteger();
    final Queue<String> failures = new ConcurrentLinkedQueue<>();
    final Map<String, AtomicInteger> seen = Map.of("v1", new AtomicInteger(), "v2", new AtomicInteger());

    @AfterEach
    void stop() throws Exception {
        for (DataPlane p : proxies) {
            p.close();
        }
        if (cp != null) {
            cp.close();
        }
    }

    @Test
    void noResponseMixesDeploymentsWhileTwoProxiesSwitchUnderLoadAndBack() throws Exception {
        cp = new TestControlPlane(0);
        cp.blobs.putAll(v1.blobs);
        cp.blobs.putAll(v2.blobs);
        for (String name : new String[] {"a", "b"}) {
            proxies.add(DataPlane.start(Settings.forTest(cp.port(), dir.resolve(name))));
        }
        switchTo(2, v1.build());
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            DataPlane proxy = proxies.get(i % 2);
            Thread t = new Thread(() -> load(proxy, running), "site-client-" + i);
            t.start();
            clients.add(t);
        }
        long version = 3;
        for (SiteDeployment next : new SiteDeployment[] {v2.build(), v1.build(), v2.build(), v1.build()}) {
            int before = requests.get();
            await().until(() -> requests.get() >= before + 40 || !failures.isEmpty()); // load before each switch
            switchTo(version++, next);
        }
        int before = requests.get();
        await().until(() -> requests.get() >= before + 40 || !failures.isEmpty());
        running.set(false);
        for (Thread t : clients) {
            t.join(Duration.ofSeconds(30).toMillis());
        }
        assertThat(failures).isEmpty();
        assertThat(seen.get("v1").get()).isPositive();
        assertThat(seen.get("v2").get()).isPositive();
        for (DataPlane p : proxies) { // switched back: both serve build 1 again
            try (RawClient c = new RawClient(p.proxyPort())) {
                c.send("GET / HTTP/1.1\r\nHost: shop.test\r\n\r\n");
                assertThat(c.read(false).body()).isEqualTo(v1.files.get("index.html"));
            }
        }
        // switching back and forth fetched nothing again: the previous deployment's files stay on disk
        assertThat(cp.fetches.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(2));
    }

    private void switchTo(long version, SiteDeployment deployment) {
        epoch.incrementAndGet();
        cp.push(SiteFixture.snapshot(version, "shop.test", true, deployment));
        await().until(() -> cp.answers.stream().filter(m -> m.hasAck() && m.getAck().getVersion() == version).count() == 2
                || cp.answered(version, false));
        assertThat(cp.answered(version, false)).isFalse();
        epoch.incrementAndGet();
    }

    private void load(DataPlane proxy, AtomicBoolean running) {
        try (RawClient c = new RawClient(proxy.proxyPort())) {
            while (running.get()) {
                long at = epoch.get();
                c.send("GET / HTTP/1.1\r\nHost: shop.test\r\n\r\n");
                RawClient.Response index = c.read(false);
                SiteFixture build = Arrays.equals(index.body(), v1.files.get("index.html")) ? v1
                        : Arrays.equals(index.body(), v2.files.get("index.html")) ? v2 : null;
                if (index.status() != 200 || build == null) {
                    failures.add("index.html of no build: " + index.status() + " " + index.text());
                    return;
                }
                seen.get(build == v1 ? "v1" : "v2").incrementAndGet();
                Matcher m = ASSET.matcher(new String(index.body(), StandardCharsets.UTF_8));
                int assets = 0;
                while (m.find()) {
                    assets++;
                    c.send("GET /" + m.group(1) + " HTTP/1.1\r\nHost: shop.test\r\n\r\n");
                    RawClient.Response asset = c.read(false);
                    boolean quiet = at % 2 == 0 && epoch.get() == at; // no switch began since the index was read
                    if (asset.status() == 200 ? !Arrays.equals(asset.body(), build.files.get(m.group(1)))
                            : quiet || asset.status() != 404) {
                        failures.add(m.group(1) + " after the index of " + build.build().getDeploymentId()
                                + ": " + asset.status() + (quiet ? " with no switch under way" : ""));
                        return;
                    }
                }
                if (assets != 2) {
                    failures.add("index.html names " + assets + " assets");
                    return;
                }
                requests.incrementAndGet();
            }
        } catch (Exception e) {
            failures.add(e.toString());
        }
    }
}
