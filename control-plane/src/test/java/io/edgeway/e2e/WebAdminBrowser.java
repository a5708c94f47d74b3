package io.edgeway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** Debian's headless Chromium driven by Selenium, with the web admin's sign-in and an axe-core check. */
final class WebAdminBrowser implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(30);

    final ChromeDriver driver;
    final WebDriverWait wait;
    private final String base;
    private final String axe;

    WebAdminBrowser(String base, Path profile) throws IOException {
        this.base = base;
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1280,900", "--user-data-dir=" + Files.createDirectories(profile));
        org.openqa.selenium.logging.LoggingPreferences logs = new org.openqa.selenium.logging.LoggingPreferences();
        logs.enable(org.openqa.selenium.logging.LogType.BROWSER, java.util.logging.Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile()).build();
        this.driver = new ChromeDriver(service, options);
        // views re-render whole: an element found a moment ago may be replaced before it is read
        this.wait = new WebDriverWait(driver, WAIT);
        this.wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        try (InputStream in = WebAdminBrowser.class.getResourceAsStream("/axe/axe.min.js")) {
            this.axe = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Opens a view (e.g. "#/routes"), signing in first when the page asks for the token. */
    void open(String hash) {
        // the previous view's heading must not pass for the next one's: a hash change keeps the document
        driver.executeScript("const c = document.getElementById('content'); if (c) c.replaceChildren();");
        // the same hash again fires no hashchange (the cleared view would stay empty): load the page anew
        if (driver.getCurrentUrl().equals(base + "/" + hash)) driver.navigate().refresh();
        else driver.get(base + "/" + hash);
        WebElement tokenForm = driver.findElement(By.id("token-form"));
        if (wait.until(d -> tokenForm.isDisplayed() || !d.findElements(By.cssSelector("#content h1")).isEmpty())
                && tokenForm.isDisplayed()) {
            signIn(AdminClient.TOKEN);
            wait.until(ExpectedConditions.invisibilityOf(tokenForm));
        }
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#content h1")));
    }

    void signIn(String token) {
        WebElement input = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        input.clear();
        input.sendKeys(token);
        driver.findElement(By.id("token-submit")).click();
    }

    void type(String id, String text) {
        WebElement field = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id(id)));
        field.clear();
        field.sendKeys(text);
    }

    void click(By by) {
        wait.until(ExpectedConditions.elementToBeClickable(by)).click();
    }

    String text(By by) {
        return wait.until(ExpectedConditions.visibilityOfElementLocated(by)).getText();
    }

    void awaitText(By by, String text) {
        wait.until(ExpectedConditions.textToBePresentInElementLocated(by, text));
    }

    /** axe-core's serious and critical violations on the page as it is now, as "rule: target" lines. */
    @SuppressWarnings("unchecked")
    List<String> seriousViolations() {
        driver.executeScript(axe);
        Object result = driver.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations
                    .filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .flatMap(v => v.nodes.map(n => v.id + ': ' + n.target.join(' ')))))
                  .catch(e => done(['axe failed: ' + e]));""");
        assertThat(result).isInstanceOf(List.class);
        return (List<String>) result;
    }

    /** Emulates a phone's viewport (CSS pixels), or the desktop again with width 0. */
    void viewport(int width, int height) {
        if (width == 0) {
            driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        } else {
            driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                    Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", true));
        }
    }

    void screenshot(String name) throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "web-admin-screenshots"));
        Files.write(dir.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    }

    /** After a failure: a screenshot, the page's DOM and its console, under target/web-admin-screenshots. */
    void dump(String name) {
        try {
            screenshot(name);
            Path dir = Path.of("target", "web-admin-screenshots");
            Files.writeString(dir.resolve(name + ".html"), driver.getPageSource());
            StringBuilder console = new StringBuilder(driver.getCurrentUrl()).append('\n');
            driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER)
                    .forEach(e -> console.append(e.getLevel()).append(' ').append(e.getMessage()).append('\n'));
            Files.writeString(dir.resolve(name + ".console.txt"), console);
        } catch (Exception | Error e) {
            // the original failure matters more than the dump
        }
    }

    @Override
    public void close() {
        driver.quit();
    }
}
