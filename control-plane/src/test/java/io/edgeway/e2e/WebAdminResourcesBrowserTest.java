package io.edgeway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeway.controlplane.TestCerts;
import io.edgeway.controlplane.Http;
import io.edgeway.controlplane.SiteFixture;
import io.edgeway.controlplane.TestDatabase;
import java.nio.file.Path;
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

/**
 * The web admin's certificate, stream-route, delete and revoke views in headless Chromium against one real
 * control plane on PostgreSQL: every change goes through the page, and the API is asked what it now holds.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebAdminResourcesBrowserTest {
    private static final By HEADING = By.cssSelector("#content h1");

    @TempDir static Path dir;
    private JavaProcess controlPlane;
    private AdminClient admin;
    private WebAdminBrowser browser;
    private final TestCerts certs = new TestCerts();
    private boolean failed = true;

    @BeforeAll
    void start() throws Exception {
        String db = TestDatabase.create(WebAdminResourcesBrowserTest.class).url();
        controlPlane = Fleet.controlPlane(db, Fleet.freePort(), Fleet.freePort(), dir.resolve("cp"), TestCerts.env());
        admin = new AdminClient(controlPlane.ready("admin"));
        browser = new WebAdminBrowser(controlPlane.ready("admin"), dir.resolve("chrome"));
        assertThat(admin.post("/api/v1/upstreams", "{\"name\":\"backends\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":"
                + Fleet.freePort() + ",\"weight\":1}]}").status()).isEqualTo(201);
    }

    @AfterEach
    void dumpOnFailure(TestInfo test) {
        if (failed) browser.dump("failed-" + test.getTestMethod().orElseThrow().getName());
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) browser.close();
        if (controlPlane != null) controlPlane.close();
    }

    @Test
    void aStreamRouteCreatedThroughItsFormIsStoredAndListed() throws Exception {
        failed = true;
        int port = Fleet.freePort();
        browser.open("#/stream-routes/new");
        browser.type("field-name", "postgres-relay");
        browser.type("field-listen_port", String.valueOf(port));
        browser.type("field-upstream", "backends");
        browser.click(By.id("save"));
        browser.awaitText(HEADING, "Stream route postgres-relay");
        var stored = admin.get("/api/v1/stream-routes/postgres-relay");
        assertThat(stored.status()).isEqualTo(200);
        assertThat(stored.body().get("listen_port").asInt()).isEqualTo(port);
        assertThat(stored.body().get("protocol").asText()).isEqualTo("tcp");

        browser.open("#/stream-routes");
        browser.awaitText(By.id("stream-routes-list"), "postgres-relay");
        assertThat(browser.text(By.id("stream-routes-list"))).contains(String.valueOf(port)).contains("backends");
        failed = false;
    }

    @Test
    void anUploadedCertificateShowsItsSnisAndExpiryButNeverItsKey() throws Exception {
        failed = true;
        TestCerts.Pair pair = certs.ec("shop", "shop.example.test");
        browser.open("#/certificates/new");
        browser.type("field-name", "shop-cert");
        setValue("field-cert", pair.cert());
        setValue("field-key", pair.key());
        browser.type("field-snis", "shop.example.test, *.shop.example.test");
        browser.click(By.id("save"));
        browser.awaitText(HEADING, "Certificate shop-cert");
        String expires = admin.get("/api/v1/certificates/shop-cert").body().get("expires_at").asText();
        assertThat(browser.text(By.id("certificate-snis"))).isEqualTo("shop.example.test, *.shop.example.test");
        assertThat(browser.text(By.id("certificate-expires"))).isEqualTo(expires);
        TestCerts.assertNoKeyIn(browser.driver.getPageSource(), pair);

        // the replace form does not bring the key back either: its key field starts empty
        browser.open("#/certificates/shop-cert/edit");
        browser.wait.until(d -> d.findElement(By.id("field-cert")).getAttribute("value").contains("BEGIN CERTIFICATE"));
        assertThat(browser.driver.findElement(By.id("field-key")).getAttribute("value")).isEmpty();
        TestCerts.assertNoKeyIn(browser.driver.getPageSource(), pair);
        browser.open("#/certificates");
        browser.awaitText(By.id("certificates-list"), "shop-cert");
        TestCerts.assertNoKeyIn(browser.driver.getPageSource(), pair);
        failed = false;
    }

    @Test
    void aBadPemIsNamedNextToTheCertificateField() throws Exception {
        failed = true;
        TestCerts.Pair pair = certs.ec("other", "other.example.test");
        browser.open("#/certificates/new");
        browser.type("field-name", "broken");
        setValue("field-cert", "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
        setValue("field-key", pair.key());
        browser.click(By.id("save"));
        browser.wait.until(d -> d.findElement(By.id("field-cert-error")).isDisplayed());
        assertThat(browser.text(By.id("field-cert-error"))).startsWith("cert");
        assertThat(browser.driver.findElement(By.id("field-cert")).getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(browser.driver.findElement(By.id("field-name-error")).isDisplayed()).isFalse();
        assertThat(admin.get("/api/v1/certificates/broken").status()).isEqualTo(404);
        failed = false;
    }

    @Test
    void deletesAskFirstSendIfMatchAndShowTheApisRefusal() throws Exception {
        failed = true;
        assertThat(admin.post("/api/v1/upstreams", "{\"name\":\"used\",\"targets\":[{\"host\":\"127.0.0.1\",\"port\":"
                + Fleet.freePort() + ",\"weight\":1}]}").status()).isEqualTo(201);
        assertThat(admin.post("/api/v1/routes", "{\"name\":\"doomed\",\"paths\":[\"/\"],\"upstream\":\"used\"}").status())
                .isEqualTo(201);

        // An upstream a route still names is refused, and the page says why.
        browser.open("#/upstreams/used");
        browser.click(By.id("delete"));
        browser.click(By.id("delete-confirm"));
        browser.awaitText(By.cssSelector(".confirm .notice.error"), "doomed");
        assertThat(admin.get("/api/v1/upstreams/used").status()).isEqualTo(200);

        // Cancel keeps the route; a change made elsewhere after the page read it makes the delete a 412.
        browser.open("#/routes/doomed");
        browser.click(By.id("delete"));
        browser.click(By.id("delete-cancel"));
        assertThat(admin.get("/api/v1/routes/doomed").status()).isEqualTo(200);
        assertThat(admin.put("/api/v1/routes/doomed", "{\"paths\":[\"/\"],\"upstream\":\"used\",\"tags\":[\"moved\"]}")
                .status()).isEqualTo(200);
        browser.click(By.id("delete"));
        browser.click(By.id("delete-confirm"));
        browser.wait.until(d -> !d.findElements(By.cssSelector(".confirm .notice.error")).isEmpty());
        assertThat(admin.get("/api/v1/routes/doomed").status()).isEqualTo(200);

        // Read again, the delete goes through and the list no longer has it.
        browser.open("#/routes/doomed");
        browser.click(By.id("delete"));
        browser.click(By.id("delete-confirm"));
        browser.awaitText(HEADING, "Routes");
        assertThat(admin.get("/api/v1/routes/doomed").status()).isEqualTo(404);
        browser.open("#/upstreams/used");
        browser.click(By.id("delete"));
        browser.click(By.id("delete-confirm"));
        browser.awaitText(HEADING, "Upstreams");
        assertThat(admin.get("/api/v1/upstreams/used").status()).isEqualTo(404);
        failed = false;
    }

    @Test
    void aJoinTokenIsRevokedAfterConfirmation() throws Exception {
        failed = true;
        assertThat(admin.post("/api/v1/join-tokens", "{\"name\":\"rack-7\"}").status()).isEqualTo(201);
        browser.open("#/tokens");
        browser.click(By.id("revoke-join-rack-7"));
        browser.click(By.id("revoke-join-rack-7-confirm"));
        // the confirmation replaced the Revoke button: wait for the list read after the DELETE to lack the row
        browser.wait.until(d -> d.findElements(By.id("revoke-join-rack-7-confirm")).isEmpty()
                && !d.findElement(By.id("token-lists")).getText().contains("rack-7"));
        assertThat(admin.get("/api/v1/join-tokens").body().get("data").findValuesAsText("name")).doesNotContain("rack-7");
        failed = false;
    }

    @Test
    void theNewViewsPassAxe() throws Exception {
        failed = true;
        TestCerts.Pair pair = certs.ec("axe", "axe.example.test");
        assertThat(admin.post("/api/v1/certificates", "{\"name\":\"axe-cert\",\"cert\":" + json(pair.cert())
                + ",\"key\":" + json(pair.key()) + "}").status()).isEqualTo(201);
        assertThat(admin.post("/api/v1/stream-routes", "{\"name\":\"axe-relay\",\"listen_port\":" + Fleet.freePort()
                + ",\"upstream\":\"backends\"}").status()).isEqualTo(201);
        for (String view : List.of("#/certificates", "#/certificates/new", "#/certificates/axe-cert",
                "#/certificates/axe-cert/edit", "#/stream-routes", "#/stream-routes/new", "#/stream-routes/axe-relay",
                "#/tokens", "#/sites")) {
            browser.open(view);
            browser.wait.until(d -> !d.findElements(By.cssSelector("#content table, #content form, #content dl")).isEmpty());
            assertThat(browser.seriousViolations()).as("axe-core on %s", view).isEmpty();
        }
        browser.open("#/stream-routes/axe-relay");
        browser.click(By.id("delete"));
        assertThat(browser.seriousViolations()).as("axe-core on a delete confirmation").isEmpty();
        failed = false;
    }

    @Test
    void aSiteRollsBackToAnEarlierDeploymentAfterConfirmation() throws Exception {
        failed = true;
        String base = controlPlane.ready("admin");
        Http http = new Http(Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)), AdminClient.TOKEN);
        String first = SiteFixture.deploy(http, "blog", Map.of("index.html", SiteFixture.text("<p>one</p>")));
        SiteFixture.deploy(http, "blog", Map.of("index.html", SiteFixture.text("<p>two</p>")));
        // three deployments: the rollback goes to the one picked, not just the one before the active
        String third = SiteFixture.deploy(http, "blog", Map.of("index.html", SiteFixture.text("<p>three</p>")));
        assertThat(admin.get("/api/v1/sites/blog").body().get("active_deployment").asText()).isEqualTo(third);

        browser.open("#/sites/blog");
        browser.awaitText(By.cssSelector("#content table"), first);
        assertThat(browser.driver.findElements(By.id("rollback-" + third))).as("no rollback to the active one").isEmpty();
        assertThat(browser.seriousViolations()).as("axe-core on a site's page").isEmpty();
        browser.click(By.id("rollback-" + first));
        browser.click(By.id("rollback-" + first + "-confirm"));
        browser.awaitText(By.id("site-status"), "is active again");
        assertThat(admin.get("/api/v1/sites/blog").body().get("active_deployment").asText()).isEqualTo(first);
        failed = false;
    }

    private void setValue(String id, String value) {
        browser.wait.until(d -> !d.findElements(By.id(id)).isEmpty());
        browser.driver.executeScript("document.getElementById(arguments[0]).value = arguments[1];", id, value);
    }

    private static String json(String s) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(s);
    }
}
