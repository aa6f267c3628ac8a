package io.selfinstruct.web.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfinstruct.pool.Admission;
import io.selfinstruct.pool.PoolRows;
import io.selfinstruct.support.Chromium;
import io.selfinstruct.support.ScriptedLlmServer;
import io.selfinstruct.support.SelfInstructScript;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The admin UI in headless Chromium, against the running app and a scripted OpenAI-wire-format server. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "selfinstruct.batches.poll-interval=100ms")
class AdminBrowserTest {

    static final String XSS = AdminPagesTest.XSS;
    // slow enough that progress is seen in steps, fast enough for a short test
    static final ScriptedLlmServer llm = ScriptedLlmServer.start(new SelfInstructScript(true, false), 40);

    @DynamicPropertySource
    static void llm(DynamicPropertyRegistry registry) {
        registry.add("selfinstruct.llm.base-url", llm::baseUrl);
        registry.add("selfinstruct.llm.model", () -> "scripted-model");
    }

    @AfterAll
    static void stopLlm() {
        llm.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    Admission admission;

    @TempDir
    Path downloads;

    WebDriver browser;
    long alpha;
    long hostile;

    @BeforeEach
    void start() throws Exception {
        Chromium.assumeInstalled();
        PoolRows rows = new PoolRows(jdbc);
        rows.clear();
        admission.invalidate();
        long batch = rows.batch(0.7);
        long call = rows.llmCall(batch, "Come up with a series of tasks:", "1. Alpha vortex kettle lamp ferocious");
        alpha = rows.instruction("Alpha vortex kettle lamp ferocious", "ACCEPTED", batch, call, false);
        hostile = rows.instruction(XSS, "ACCEPTED", batch, null, true);
        rows.instruction("Summarise the plot of a novel in three sentences", "ACCEPTED", batch, null, false);
        rows.instance(alpha, "", "A lamp.");
        rows.instance(hostile, "", "Nothing runs.");
        browser = Chromium.start(downloads, 1280, 900);
    }

    @AfterEach
    void quit() {
        if (browser != null) {
            browser.quit();
        }
    }

    String url(String path) {
        return "http://localhost:" + port + path;
    }

    void logIn() {
        browser.get(url("/admin"));
        assertThat(browser.getCurrentUrl()).endsWith("/login");
        browser.findElement(By.name("username")).sendKeys("admin");
        browser.findElement(By.name("password")).sendKeys("test-admin-password");
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        // back to the page asked for (Spring Security marks it with ?continue)
        waitUntil(d -> d.getCurrentUrl().matches(".*/admin(\\?continue)?"));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Dashboard");
    }

    @Test
    void wrongPasswordStaysOnTheLoginPage() {
        browser.get(url("/login"));
        browser.findElement(By.name("username")).sendKeys("admin");
        browser.findElement(By.name("password")).sendKeys("nope");
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        waitUntil(d -> d.getCurrentUrl().endsWith("/login?error"));
        assertThat(browser.getPageSource()).contains("Wrong user name or password");
    }

    @Test
    void searchOpenRejectAndRestore() {
        logIn();
        browser.findElement(By.linkText("Pool")).click();
        WebElement q = browser.findElement(By.id("q"));
        q.sendKeys("VORTEX");
        q.submit();
        waitUntil(d -> d.getCurrentUrl().contains("q=VORTEX"));
        List<WebElement> links = browser.findElements(By.cssSelector("#pool-table .instruction-link"));
        assertThat(links).extracting(WebElement::getText).containsExactly("Alpha vortex kettle lamp ferocious");
        links.get(0).click();
        waitUntil(d -> d.getCurrentUrl().endsWith("/admin/instructions/" + alpha));
        assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("ACCEPTED");
        assertThat(browser.findElement(By.cssSelector("table.instances")).getText())
                .contains("A lamp.");

        browser.findElement(By.id("reject")).click();
        waitUntil(d -> d.findElement(By.id("status")).getText().equals("REJECTED"));
        assertThat(browser.findElement(By.id("reject-reason")).getText()).isEqualTo("manual");
        assertThat(jdbc.queryForObject("select status from instruction where id = ?", String.class, alpha))
                .isEqualTo("REJECTED");

        browser.findElement(By.id("restore")).click();
        waitUntil(d -> d.findElement(By.id("status")).getText().equals("ACCEPTED"));
        assertThat(browser.findElement(By.id("flash-message")).getText()).startsWith("Restored");
        assertThat(jdbc.queryForObject("select status from instruction where id = ?", String.class, alpha))
                .isEqualTo("ACCEPTED");
    }

    @Test
    void hostileTextShowsAsTextAndRunsNothing() throws Exception {
        logIn();
        for (String page : List.of("/admin/instructions/" + hostile, "/admin/instructions?classification=true")) {
            browser.get(url(page));
            Thread.sleep(300); // an injected image would have failed to load and fired onerror by now
            Object[] flags = ((List<?>) js("return [window.__x === undefined, window.__y === undefined];")).toArray();
            assertThat(flags).as(page).containsExactly(true, true);
        }
        browser.get(url("/admin/instructions/" + hostile));
        assertThat(browser.findElement(By.id("instruction-text")).getText()).isEqualTo(XSS);
        assertThat(browser.findElements(By.cssSelector("main img"))).isEmpty();
    }

    @Test
    void startABatchAndWatchItsProgressWithoutReloading() {
        logIn();
        browser.get(url("/admin/batches"));
        WebElement target = browser.findElement(By.name("targetInstructions"));
        target.clear();
        target.sendKeys("40");
        new Select(browser.findElement(By.name("api"))).selectByValue("completions");
        browser.findElement(By.name("concurrency")).sendKeys("2");
        browser.findElement(By.id("start-batch")).click();
        waitUntil(d -> d.findElements(By.id("flash-message")).size() == 1);
        String flash = browser.findElement(By.id("flash-message")).getText();
        assertThat(flash).matches("Batch \\d+ queued\\.");
        long id = Long.parseLong(flash.replaceAll("\\D", ""));
        js("window.__samePage = true;");

        List<Integer> seen = new ArrayList<>();
        new WebDriverWait(browser, Duration.ofSeconds(60), Duration.ofMillis(200)).until(d -> {
            // read in the page: htmx swaps the row in and out under a WebElement
            String text = (String) js("return document.querySelector('#batch-" + id + " .accepted').textContent;");
            int accepted = Integer.parseInt(text.substring(0, text.indexOf(' ')));
            if (seen.isEmpty() || seen.get(seen.size() - 1) != accepted) {
                seen.add(accepted);
            }
            return accepted == 40;
        });
        // several values on the way up, all on one page load: the table refreshed itself
        assertThat(seen.size()).as("accepted counts seen: %s", seen).isGreaterThanOrEqualTo(3);
        assertThat(seen).isSorted();
        assertThat(js("return window.__samePage === true;")).isEqualTo(true);
        waitUntil(
                d -> "COMPLETED".equals(js("return document.querySelector('#batch-" + id + " .badge').textContent;")));
        // the scripted server answers with bad candidates too, and the row counts them by reason
        assertThat((String) js("return document.querySelector('#batch-" + id + " .reasons').textContent;"))
                .containsPattern("[a-z_]+ [1-9]\\d*");
    }

    @Test
    void downloadAnExport() throws Exception {
        logIn();
        browser.get(url("/admin/exports"));
        new Select(browser.findElement(By.id("format"))).selectByValue("jsonl");
        browser.findElement(By.id("download")).click();
        Path file = downloads.resolve("alpaca_data.jsonl");
        new WebDriverWait(browser, Duration.ofSeconds(20), Duration.ofMillis(100))
                .until(d -> Files.exists(file) && noPartialDownloads());
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2); // instructions with an instance; the third has none
        assertThat(lines).anyMatch(l -> l.contains("Alpha vortex kettle lamp ferocious"));
        assertThat(lines).anyMatch(l -> l.contains("<script>window.__x=1</script>"));
    }

    private boolean noPartialDownloads() {
        try (Stream<Path> files = Files.list(downloads)) {
            return files.noneMatch(f -> f.toString().endsWith(".crdownload"));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    private void waitUntil(java.util.function.Function<WebDriver, Boolean> condition) {
        // a form post replaces the page under an element found a moment before: look again
        new WebDriverWait(browser, Duration.ofSeconds(15), Duration.ofMillis(100))
                .ignoring(StaleElementReferenceException.class)
                .until(condition::apply);
    }
}
