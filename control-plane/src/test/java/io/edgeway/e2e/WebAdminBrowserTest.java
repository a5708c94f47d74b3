package io.edgeway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The web admin in Debian's headless Chromium, against a real control plane on its embedded PostgreSQL. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebAdminBrowserTest {
    private static final Pattern CP_READY = Pattern.compile("edgeway control-plane ready admin=(?<admin>http://\\S+)");

    @TempDir static Path dataDir;
    private JavaProcess controlPlane;
    private AdminClient admin;
    private ChromeDriver browser;

    @BeforeAll
    void start() throws Exception {
        controlPlane = JavaProcess.start("control-plane", "io.edgeway.controlplane.ControlPlane", Map.of(
                "EDGEWAY_ADMIN_TOKEN", AdminClient.TOKEN,
                "EDGEWAY_DATA_DIR", dataDir.resolve("cp").toString(),
                "EDGEWAY_ADMIN_PORT", "0", "EDGEWAY_GRPC_PORT", "0"), List.of(), CP_READY);
        admin = new AdminClient(controlPlane.ready("admin"));
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1280,900", "--user-data-dir=" + Files.createDirectories(dataDir.resolve("chrome")));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile()).build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) browser.quit();
        if (controlPlane != null) controlPlane.close();
    }

    @Test
    void listsRoutesUpstreamsAndShowsNewOnesOnRefresh() throws Exception {
        assertThat(admin.post("/api/v1/upstreams", """
                {"name":"shop","targets":[{"host":"127.0.0.1","port":9001,"weight":3}]}""").status()).isEqualTo(201);
        assertThat(admin.post("/api/v1/routes", """
                {"name":"storefront","hosts":["shop.example.com"],"paths":["/"],"upstream":"shop"}""").status())
                .isEqualTo(201);

        browser.get(controlPlane.ready("admin") + "/");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token"))).sendKeys("not-the-token");
        browser.findElement(By.id("token-submit")).click();
        // A wrong token is refused and the page asks again.
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        assertThat(browser.findElement(By.cssSelector("#routes tbody")).getText()).doesNotContain("storefront");
        browser.findElement(By.id("token")).clear();
        browser.findElement(By.id("token")).sendKeys(AdminClient.TOKEN);
        browser.findElement(By.id("token-submit")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#routes tbody"), "storefront"));
        assertThat(browser.findElement(By.cssSelector("#routes tbody")).getText())
                .contains("shop.example.com").contains("shop");
        assertThat(browser.findElement(By.cssSelector("#upstreams tbody")).getText()).contains("127.0.0.1:9001 (w3)");
        assertThat(browser.findElement(By.cssSelector("#nodes tbody")).getText()).contains("No nodes yet");
        assertThat(browser.findElement(By.id("error")).isDisplayed()).isFalse();

        assertThat(admin.post("/api/v1/routes", """
                {"name":"checkout","paths":["/checkout"],"upstream":"shop"}""").status()).isEqualTo(201);
        browser.findElement(By.id("refresh")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("#routes tbody"), "checkout"));

        Path shot = Path.of("target", "web-admin.png");
        Files.write(shot, browser.getScreenshotAs(OutputType.BYTES));
    }
}
