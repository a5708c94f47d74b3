package io.edgeway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeway.controlplane.SiteFixture;
import io.edgeway.controlplane.TestCerts;
import io.edgeway.controlplane.TestDatabase;
import io.edgeway.controlplane.acme.Pebble;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web admin's operations views in headless Chromium against a real control plane on PostgreSQL, a real
 * proxy and Debian's pebble ACME CA: canary rollouts moved by their buttons, a certificate requested by ACME
 * through the form, a site deployed from picked files, the traffic chart from the control plane's history,
 * and the lists' server-side name search. The API is asked each time what the page really did.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebAdminOperationsBrowserTest {
    private static final By HEADING = By.cssSelector("#content h1");

    @TempDir static Path dir;
    private JavaProcess controlPlane;
    private JavaProcess proxy;
    private Pebble pebble;
    private Backend backend;
    private AdminClient admin;
    private WebAdminBrowser browser;
    private int proxyPort;
    private boolean failed = true;

    @BeforeAll
    void start() throws Exception {
        String db = TestDatabase.create(WebAdminOperationsBrowserTest.class).url();
        Path ca = Pebble.makeServerCertificate(dir);
        Map<String, String> env = new HashMap<>(TestCerts.env());
        env.putAll(Map.of("EDGEWAY_ACME_CA_FILE", ca.toString(), "EDGEWAY_ACME_POLL", "200ms",
                "EDGEWAY_ACME_BACKOFF", "1h", "EDGEWAY_ROLLOUT_TICK", "100ms", "EDGEWAY_DRAIN_DELAY", "0ms"));
        int grpc = Fleet.freePort();
        controlPlane = Fleet.controlPlane(db, Fleet.freePort(), grpc, dir.resolve("cp"), env);
        admin = new AdminClient(controlPlane.ready("admin"));
        proxy = Fleet.proxy("proxy", grpc, dir.resolve("proxy"), 0, 0,
                Map.of("EDGEWAY_DRAIN_DELAY", "0ms", "EDGEWAY_LOAD_REPORT_INTERVAL", "500ms"));
        proxyPort = Integer.parseInt(proxy.ready("proxy"));
        pebble = Pebble.start(dir.resolve("pebble"), proxyPort, proxyPort, Map.of("PEBBLE_AUTHZREUSE", "0"));
        backend = new Backend("shop-backend");
        browser = new WebAdminBrowser(controlPlane.ready("admin"), dir.resolve("chrome"));
    }

    @AfterEach
    void afterEach(TestInfo test) throws Exception {
        if (failed) browser.dump("failed-" + test.getTestMethod().orElseThrow().getName());
        // an open rollout refuses every other write: no test leaves one to the next
        for (var r : admin.get("/api/v1/rollouts").body().get("data")) {
            if (r.get("state").asText().equals("canary") || r.get("state").asText().equals("paused")) {
                admin.post("/api/v1/rollouts/" + r.get("id").asLong() + "/abort", "");
            }
        }
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {browser, pebble, proxy, controlPlane, backend}) {
            if (c != null) c.close();
        }
    }

    @Test
    void aRolloutIsPausedResumedAndPromotedAnotherAbortedAndAWatcherRollbackSaysWhy() throws Exception {
        failed = true;
        long id = openRollout("canaried-1", "1h");
        browser.open("#/rollouts");
        browser.awaitText(By.id("rollouts-list"), "Rollout " + id);
        assertThat(browser.text(By.id("rollouts-list"))).contains("canary=true").contains("5xx ratio over 0.05 or p99 over 2x after 20 requests");
        assertThat(browser.seriousViolations()).as("axe-core on the rollouts list").isEmpty();

        browser.open("#/rollouts/" + id);
        browser.awaitText(By.id("rollout-state"), "canary");
        browser.click(By.id("pause"));
        assertThat(browser.seriousViolations()).as("axe-core on a rollout's confirmation").isEmpty();
        browser.click(By.id("pause-confirm"));
        browser.awaitText(By.id("rollout-state"), "paused");
        assertThat(state(id)).isEqualTo("paused");
        browser.click(By.id("resume"));
        browser.click(By.id("resume-confirm"));
        browser.awaitText(By.id("rollout-state"), "canary");
        assertThat(state(id)).isEqualTo("canary");
        browser.click(By.id("promote"));
        browser.click(By.id("promote-cancel")); // cancel leaves it baking
        assertThat(state(id)).isEqualTo("canary");
        browser.click(By.id("promote"));
        browser.click(By.id("promote-confirm"));
        browser.awaitText(By.id("rollout-state"), "promoted");
        assertThat(state(id)).isEqualTo("promoted");
        assertThat(browser.text(By.id("rollout-reason"))).isEqualTo(admin.get("/api/v1/rollouts/" + id).body().get("reason").asText());
        assertThat(browser.driver.findElements(By.id("abort"))).as("no moves from an ended rollout").isEmpty();
        browser.screenshot("rollout");

        long aborted = openRollout("canaried-2", "1h");
        browser.open("#/rollouts/" + aborted);
        browser.click(By.id("abort"));
        browser.click(By.id("abort-confirm"));
        browser.awaitText(By.id("rollout-state"), "aborted");
        assertThat(state(aborted)).isEqualTo("aborted");
        assertThat(admin.get("/api/v1/upstreams/canaried-2").status()).as("the aborted write is undone").isEqualTo(404);

        // no node is a canary here, so the watcher rolls it back when the bake ends; the page says why, by itself
        long rolledBack = openRollout("canaried-3", "2s");
        browser.open("#/rollouts/" + rolledBack);
        new WebDriverWait(browser.driver, Duration.ofSeconds(60))
                .ignoring(StaleElementReferenceException.class) // the page re-renders itself while polling
                .until(d -> d.findElement(By.id("rollout-state")).getText().equals("rolled_back"));
        assertThat(browser.text(By.id("rollout-reason"))).contains("no canary node applied revision");
        assertThat(browser.seriousViolations()).as("axe-core on a rollout's page").isEmpty();
        failed = false;
    }

    @Test
    void theYamlViewAppliesAsACanaryRollout() throws Exception {
        failed = true;
        browser.open("#/config");
        browser.wait.until(d -> !d.findElement(By.id("yaml")).getAttribute("value").isEmpty());
        // a new upstream added to the document in the editor, as an operator would type it
        browser.driver.executeScript("""
                const y = document.getElementById('yaml');
                const lines = y.value.split('\\n');
                const at = lines.findIndex((l) => /^upstreams:/.test(l));
                if (at < 0) {
                  lines.push('upstreams:', '- name: from-yaml');
                } else {
                  const empty = /\\[\\s*\\]/.test(lines[at]);
                  const indent = empty ? '' : ((lines[at + 1] || '').match(/^(\\s*)-/) || ['', ''])[1];
                  if (empty) lines[at] = 'upstreams:';
                  lines.splice(at + 1, 0, indent + '- name: from-yaml');
                }
                y.value = lines.join('\\n');
                y.dispatchEvent(new Event('input'));""");
        assertThat(browser.driver.findElement(By.id("yaml")).getAttribute("value")).contains("from-yaml");
        browser.click(By.id("canary"));
        browser.type("canary-bake", "1h");
        browser.click(By.id("dry-run"));
        // issue 20: "a dry-run plan before apply": the plan names the new upstream, and nothing is written yet
        browser.wait.until(d -> d.findElements(By.cssSelector("#config-result tbody tr")).stream()
                .anyMatch(row -> row.getText().strip().equals("create upstream from-yaml")));
        assertThat(admin.get("/api/v1/upstreams/from-yaml").status()).isEqualTo(404);
        browser.click(By.id("apply"));
        browser.click(By.id("rollout-link"));
        browser.awaitText(By.id("rollouts-list"), "canary");
        var newest = admin.get("/api/v1/rollouts").body().get("data").get(0);
        assertThat(newest.get("state").asText()).isEqualTo("canary");
        assertThat(newest.get("selector").asText()).isEqualTo("canary=true");
        assertThat(newest.get("bake").asText()).isEqualTo("1h");
        assertThat(admin.get("/api/v1/upstreams/from-yaml").status()).isEqualTo(200);
        failed = false;
    }

    private long openRollout(String upstream, String bake) throws Exception {
        var w = admin.post("/api/v1/upstreams?rollout=canary&selector=canary%3Dtrue&bake=" + bake, "{\"name\":\"" + upstream + "\"}");
        assertThat(w.status()).as(String.valueOf(w.body())).isEqualTo(201);
        return admin.get("/api/v1/rollouts").body().get("data").get(0).get("id").asLong();
    }

    private String state(long id) throws Exception {
        return admin.get("/api/v1/rollouts/" + id).body().get("state").asText();
    }

    @Test
    void anAcmeCertificateRequestedThroughTheFormIsIssuedByPebbleAndAFailureShowsTheCasError() throws Exception {
        failed = true;
        browser.open("#/certificates");
        browser.click(By.id("request-acme"));
        browser.awaitText(HEADING, "Request a certificate by ACME");
        assertThat(browser.seriousViolations()).as("axe-core on the ACME form").isEmpty();
        browser.type("acme-name", "shop-acme");
        browser.type("acme-snis", "shop.example.com, not a host");
        browser.type("acme-issuer", pebble.directory());
        browser.type("acme-email", "not-an-email");
        browser.click(By.id("acme-request"));
        browser.wait.until(d -> d.findElement(By.id("acme-email-error")).isDisplayed());
        assertThat(browser.text(By.id("acme-email-error"))).startsWith("acme.email: not-an-email");
        assertThat(browser.text(By.id("acme-snis-error"))).contains("not a host");
        assertThat(browser.driver.findElement(By.id("acme-issuer-error")).isDisplayed()).isFalse();
        assertThat(browser.driver.findElement(By.id("acme-email")).getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(admin.get("/api/v1/certificates/shop-acme").status()).isEqualTo(404);

        browser.type("acme-snis", "shop.example.com");
        browser.type("acme-email", "ops@example.com");
        browser.click(By.id("acme-request"));
        browser.awaitText(HEADING, "Certificate shop-acme");
        new WebDriverWait(browser.driver, Duration.ofSeconds(90))
                .ignoring(StaleElementReferenceException.class) // the page re-renders itself while polling
                .until(d -> d.findElement(By.id("certificate-status")).getText().equals("valid"));
        var stored = admin.get("/api/v1/certificates/shop-acme").body();
        assertThat(stored.get("status").asText()).isEqualTo("valid");
        browser.awaitText(By.id("certificate-expires"), stored.get("expires_at").asText());
        assertThat(browser.seriousViolations()).as("axe-core on a managed certificate").isEmpty();
        browser.screenshot("acme-certificate");
        browser.click(By.id("renew"));
        browser.awaitText(By.id("renew-status"), "Renewal requested");

        // a second pebble validates against a port nobody listens on: the CA refuses, the page shows its error
        try (Pebble refusing = Pebble.start(dir.resolve("pebble-refusing"), Fleet.freePort(), Fleet.freePort(), Map.of())) {
            browser.open("#/certificates/new-acme");
            browser.type("acme-name", "nowhere");
            browser.type("acme-snis", "nowhere.example.com");
            browser.type("acme-issuer", refusing.directory());
            new Select(browser.driver.findElement(By.id("acme-challenge"))).selectByValue("http-01");
            browser.click(By.id("acme-request"));
            browser.awaitText(HEADING, "Certificate nowhere");
            // the status is not part of the certificate's ETag: this also proves the page never reads a cached answer
            new WebDriverWait(browser.driver, Duration.ofSeconds(90))
                    .ignoring(StaleElementReferenceException.class) // the page re-renders itself while polling
                    .until(d -> d.findElement(By.id("certificate-status")).getText().equals("failed"));
        }
        String error = admin.get("/api/v1/certificates/nowhere").body().get("last_error").asText();
        assertThat(error).contains("nowhere.example.com");
        browser.awaitText(By.id("certificate-acme-error"), error);
        browser.click(By.id("delete"));
        browser.click(By.id("delete-confirm"));
        browser.awaitText(HEADING, "Certificates");
        assertThat(admin.get("/api/v1/certificates/nowhere").status()).isEqualTo(404);
        failed = false;
    }

    @Test
    void aFolderPickedInTheBrowserIsHashedUploadedOnlyWhereMissingAndActivated() throws Exception {
        failed = true;
        Path build = Files.createDirectories(dir.resolve("build").resolve("css"));
        byte[] index = SiteFixture.text("<h1>docs one</h1>");
        byte[] css = SiteFixture.text("h1 { color: teal }");
        Files.write(build.getParent().resolve("index.html"), index);
        Files.write(build.resolve("app.css"), css);

        browser.open("#/sites");
        assertThat(browser.seriousViolations()).as("axe-core on the sites page with its deploy form").isEmpty();
        browser.type("deploy-site", "docs");
        browser.driver.findElement(By.id("deploy-folder")).sendKeys(build.getParent().toString());
        browser.click(By.id("deploy"));
        browser.awaitText(By.id("deploy-status"), "It is active.");
        assertThat(browser.text(By.id("deploy-status"))).contains("2 files, uploaded 2");
        browser.screenshot("site-deploy");
        var site = admin.get("/api/v1/sites/docs").body();
        String first = site.get("active_deployment").asText();
        var manifest = admin.get("/api/v1/sites/docs/deployments/" + first).body();
        assertThat(manifest.toString()).contains("\"css/app.css\"").contains(SiteFixture.sha256(css))
                .contains("\"index.html\"").contains(SiteFixture.sha256(index));

        // a new version from the site's page, as picked files: only the changed file travels
        byte[] changed = SiteFixture.text("<h1>docs two</h1>");
        Path two = Files.createDirectories(dir.resolve("two"));
        Files.write(two.resolve("index.html"), changed);
        Files.write(two.resolve("app.css"), css);
        browser.open("#/sites/docs");
        browser.driver.findElement(By.id("deploy-files")).sendKeys(two.resolve("index.html") + "\n" + two.resolve("app.css"));
        browser.click(By.id("deploy"));
        browser.awaitText(By.id("deploy-status"), "It is active.");
        assertThat(browser.text(By.id("deploy-status"))).contains("2 files, uploaded 1 (" + changed.length + " bytes), 1 already stored");
        String second = admin.get("/api/v1/sites/docs").body().get("active_deployment").asText();
        assertThat(second).isNotEqualTo(first);
        assertThat(admin.get("/api/v1/sites/docs/deployments/" + second).body().toString())
                .contains(SiteFixture.sha256(changed)).contains("\"app.css\"");
        assertThat(browser.driver.findElement(By.id("deploy-progress")).getAttribute("value"))
                .isEqualTo(browser.driver.findElement(By.id("deploy-progress")).getAttribute("max"));
        failed = false;
    }

    @Test
    void theTrafficChartOpensFilledFromTheControlPlanesHistory() throws Exception {
        failed = true;
        assertThat(admin.post("/api/v1/upstreams", "{\"name\":\"shop-up\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":"
                + backend.port() + ",\"weight\":1}]}").status()).isEqualTo(201);
        long revision = admin.post("/api/v1/routes", "{\"name\":\"shop\",\"hosts\":[\"shop.test\"],\"upstream\":\"shop-up\"}").revision();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        await().atMost(Duration.ofSeconds(30)).until(() -> send(client) == 200);
        for (int i = 0; i < 20; i++) {
            assertThat(send(client)).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            long total = 0;
            for (var p : admin.get("/api/v1/metrics/routes/history?route=shop&window=15m&step=30s").body().get("data")) {
                total += p.get("requests").asLong();
            }
            return total >= 21;
        });
        assertThat(revision).isPositive();

        browser.open("#/traffic");
        By line = By.cssSelector("svg[aria-label^='requests per second of shop '] polyline");
        browser.wait.until(d -> !d.findElements(line).isEmpty());
        // a page that just opened has one sample of its own; 30 points are the server's 15 minutes of 30s steps
        String[] points = browser.driver.findElement(line).getAttribute("points").trim().split(" ");
        assertThat(points).hasSize(30);
        assertThat(List.of(points)).anyMatch(p -> Double.parseDouble(p.split(",")[1]) < 24.0);
        assertThat(browser.seriousViolations()).as("axe-core on the traffic view").isEmpty();
        failed = false;
    }

    private int send(HttpClient client) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/"))
                .header("Host", "shop.test").timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    @Test
    void theListsSearchNamesOnTheServerAndPageTheMatches() throws Exception {
        failed = true;
        for (int i = 0; i < 25; i++) {
            assertThat(admin.post("/api/v1/upstreams", "{\"name\":\"Search-" + (100 + i) + "\"}").status()).isEqualTo(201);
        }
        for (int i = 0; i < 5; i++) {
            assertThat(admin.post("/api/v1/upstreams", "{\"name\":\"aaa-" + i + "\"}").status()).isEqualTo(201);
        }
        browser.open("#/upstreams");
        browser.type("search", "sEARCH-1");
        browser.click(By.xpath("//button[text()='Filter']"));
        browser.awaitText(By.id("upstreams-list"), "Search-100");
        browser.wait.until(d -> d.findElements(By.cssSelector("#upstreams-list tbody tr")).size() == 20);
        assertThat(browser.text(By.id("upstreams-list"))).doesNotContain("aaa-").doesNotContain("Search-120");
        browser.click(By.xpath("//button[text()='Next page']"));
        browser.awaitText(By.id("upstreams-list"), "Search-124");
        assertThat(browser.driver.findElements(By.cssSelector("#upstreams-list tbody tr"))).hasSize(5);
        assertThat(browser.text(By.id("upstreams-list"))).doesNotContain("Search-100");
        failed = false;
    }
}
