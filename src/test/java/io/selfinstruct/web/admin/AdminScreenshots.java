package io.selfinstruct.web.admin;

import io.selfinstruct.finetune.FineTuneJob;
import io.selfinstruct.finetune.FineTuneJobRepository;
import io.selfinstruct.finetune.FineTuneStatus;
import io.selfinstruct.support.Chromium;
import io.selfinstruct.support.ScriptedLlmServer;
import io.selfinstruct.support.SelfInstructScript;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Takes the README's screenshots of the admin UI: a pool grown by real batches against the scripted server, a
 * batch caught running, a fine-tune job with a loss curve. Runs only when asked:
 * {@code mvn test -Dtest=AdminScreenshots -Dscreenshots.dir=$PWD/docs/screenshots}.
 */
@EnabledIfSystemProperty(named = "screenshots.dir", matches = ".+")
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "selfinstruct.batches.poll-interval=100ms")
class AdminScreenshots {

    static final ScriptedLlmServer llm = ScriptedLlmServer.start(new SelfInstructScript(true, false), 5);

    @DynamicPropertySource
    static void llm(DynamicPropertyRegistry registry) {
        registry.add("selfinstruct.llm.base-url", llm::baseUrl);
        registry.add("selfinstruct.llm.model", () -> "gpt-4o-mini");
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    FineTuneJobRepository jobs;

    @Test
    void screenshots() throws Exception {
        Path dir = Path.of(System.getProperty("screenshots.dir"));
        Files.createDirectories(dir);
        WebDriver browser = Chromium.start(Files.createTempDirectory("downloads"), 1280, 900);
        try {
            browser.get(url("/login"));
            shoot(browser, dir, "login", 0);
            browser.findElement(By.name("username")).sendKeys("admin");
            browser.findElement(By.name("password")).sendKeys("test-admin-password");
            browser.findElement(By.cssSelector("button[type=submit]")).click();

            startBatch(browser, "120", "completions");
            new WebDriverWait(browser, Duration.ofSeconds(120), Duration.ofMillis(500))
                    .until(d ->
                            jdbc.queryForObject("select count(*) from batch where status = 'COMPLETED'", Integer.class)
                                    == 1);
            fineTuneJob();
            llm.latencyMillis(400);
            startBatch(browser, "500", "chat");
            Thread.sleep(6_000);
            shoot(browser, dir, "batches", 0);

            browser.get(url("/admin"));
            shoot(browser, dir, "dashboard", 0);
            browser.get(url("/admin/instructions?status=ACCEPTED"));
            shoot(browser, dir, "pool", 1100);
            Long id = jdbc.queryForObject(
                    "select id from instruction where status = 'ACCEPTED' and "
                            + "is_classification = false and llm_call_id is not null order by max_rouge desc, id limit 1",
                    Long.class);
            browser.get(url("/admin/instructions/" + id));
            browser.findElement(By.cssSelector("details summary")).click();
            shoot(browser, dir, "instruction", 0);
            browser.get(url("/admin/exports"));
            shoot(browser, dir, "exports", 420);
            browser.get(url("/admin/finetune"));
            Thread.sleep(500);
            browser.findElement(By.cssSelector("#finetune-jobs details summary"))
                    .click();
            shoot(browser, dir, "finetune", 0);
            browser.get(url("/admin/batches"));
            List<org.openqa.selenium.WebElement> cancel = browser.findElements(By.cssSelector(".row-actions .danger"));
            if (!cancel.isEmpty()) {
                cancel.get(0).click();
            }
        } finally {
            browser.quit();
            llm.close();
        }
    }

    private void startBatch(WebDriver browser, String target, String api) {
        browser.get(url("/admin/batches"));
        var field = browser.findElement(By.name("targetInstructions"));
        field.clear();
        field.sendKeys(target);
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.name("api"))).selectByValue(api);
        browser.findElement(By.name("concurrency")).sendKeys("4");
        browser.findElement(By.id("start-batch")).click();
    }

    /** A job part way through, with a falling loss curve and two samples. */
    private void fineTuneJob() {
        FineTuneJob job = new FineTuneJob("/models/SmolLM2-135M", "lora", "{\"origin\":\"GENERATED\"}", "{}", "cpu");
        job.setStatus(FineTuneStatus.RUNNING);
        job.setStep(140);
        job.setTotalSteps(300);
        List<String> points = new ArrayList<>();
        for (int step = 1; step <= 140; step++) {
            double loss = 1.1 + 1.6 * Math.exp(-step / 35.0) + 0.08 * Math.sin(step * 1.7);
            String eval = step % 20 == 0
                    ? String.format(Locale.ROOT, ",\"evalLoss\":%.4f", 1.25 + 1.5 * Math.exp(-step / 40.0))
                    : "";
            points.add(String.format(
                    Locale.ROOT,
                    "{\"step\":%d,\"loss\":%.4f,\"lr\":0.0003,\"tokensPerSecond\":910%s}",
                    step,
                    loss,
                    eval));
        }
        job.setMetricsJson("[" + String.join(",", points) + "]");
        job.setSamplesJson("[{\"step\":100,\"instruction\":\"Give three tips for staying healthy.\",\"output\":"
                + "\"1. Eat a balanced diet. 2. Exercise regularly. 3. Sleep seven to nine hours.\"},"
                + "{\"step\":100,\"instruction\":\"Translate 'good morning' into French.\",\"output\":\"Bonjour.\"}]");
        jobs.save(job);
    }

    /** The page from its top, as tall as it is (or {@code height} CSS pixels), through DevTools. */
    private void shoot(WebDriver browser, Path dir, String name, int height) throws Exception {
        Thread.sleep(400);
        int full = ((Number)
                        ((JavascriptExecutor) browser).executeScript("return document.documentElement.scrollHeight;"))
                .intValue();
        int h = height > 0 ? height : Math.min(2400, full);
        Map<String, Object> shot = ((ChromeDriver) browser)
                .executeCdpCommand(
                        "Page.captureScreenshot",
                        Map.of(
                                "format",
                                "png",
                                "captureBeyondViewport",
                                true,
                                "clip",
                                Map.of("x", 0, "y", 0, "width", 1280, "height", h, "scale", 1)));
        Files.write(dir.resolve(name + ".png"), Base64.getDecoder().decode((String) shot.get("data")));
    }

    private String url(String path) {
        return "http://localhost:" + port + path;
    }
}
