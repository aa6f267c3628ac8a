package io.selfinstruct.web.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.flash;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.selfinstruct.finetune.FineTuneJob;
import io.selfinstruct.finetune.FineTuneJobRepository;
import io.selfinstruct.finetune.FineTuneStatus;
import io.selfinstruct.generate.BatchConfig;
import io.selfinstruct.generate.BatchRepository;
import io.selfinstruct.generate.BatchRequest;
import io.selfinstruct.generate.Batches;
import io.selfinstruct.generate.Forecast;
import io.selfinstruct.pool.Admission;
import io.selfinstruct.pool.InstructionRepository;
import io.selfinstruct.pool.InstructionStatus;
import io.selfinstruct.pool.PoolRows;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestBuilders;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.json.JsonMapper;

/** Every admin page and form through MockMvc: rendering, login, CSRF, escaping, flash messages. */
@SpringBootTest(properties = "selfinstruct.batches.poll-interval=1h")
@AutoConfigureMockMvc
class AdminPagesTest {

    static final String XSS = "<script>window.__x=1</script><img src=x onerror=\"window.__y=1\">";

    @Autowired
    MockMvc mvc;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    Batches batchService;

    @Autowired
    JsonMapper json;

    @Autowired
    InstructionRepository instructions;

    @Autowired
    BatchRepository batches;

    @Autowired
    FineTuneJobRepository jobs;

    @Autowired
    Admission admission;

    long batch;
    long alpha;
    long hostile;

    @BeforeEach
    void pool() {
        PoolRows rows = new PoolRows(jdbc);
        jobs.deleteAll();
        rows.clear();
        admission.invalidate();
        batch = rows.batch(0.7);
        long call = rows.llmCall(batch, "Come up with tasks <b>bold</b>", "1. Alpha vortex kettle lamp");
        alpha = rows.instruction("Alpha vortex kettle lamp ferocious", "ACCEPTED", batch, call, false);
        hostile = rows.instruction(XSS, "ACCEPTED", batch, null, true);
        rows.instance(alpha, "<i>input</i>", "output & more");
    }

    @Test
    void pagesNeedTheLoginAndTheLoginPageIsOurs() throws Exception {
        mvc.perform(get("/admin")).andExpect(status().is3xxRedirection()).andExpect(redirectedUrl("/login"));
        mvc.perform(get("/login"))
                .andExpect(status().isOk())
                .andExpect(content().string(containsString("name=\"username\"")))
                .andExpect(content().string(containsString("name=\"password\"")))
                .andExpect(content().string(containsString("name=\"_csrf\"")));
        mvc.perform(get("/assets/css/admin.css")).andExpect(status().isOk());
        mvc.perform(get("/webjars/htmx.org/dist/htmx.min.js")).andExpect(status().isOk());
        mvc.perform(get("/webjars/chart.js/dist/chart.umd.min.js")).andExpect(status().isOk());
    }

    @Test
    void formLoginWithTheAdminAccount() throws Exception {
        mvc.perform(SecurityMockMvcRequestBuilders.formLogin("/login")
                        .user("admin")
                        .password("test-admin-password"))
                .andExpect(redirectedUrl("/admin"));
        mvc.perform(SecurityMockMvcRequestBuilders.formLogin("/login")
                        .user("admin")
                        .password("wrong"))
                .andExpect(redirectedUrl("/login?error"));
    }

    @Test
    void dashboardShowsCountsReasonsSpendAndActiveWork() throws Exception {
        jdbc.update("update batch set status = 'RUNNING' where id = ?", batch);
        FineTuneJob job = new FineTuneJob("/models/tiny", "lora", "{}", "{}", "cpu");
        job.setStatus(FineTuneStatus.RUNNING);
        jobs.save(job);
        mvc.perform(get("/admin").with(user("admin")))
                .andExpect(status().isOk())
                .andExpect(content().string(containsString("id=\"pool-total\">2<")))
                .andExpect(content().string(containsString("$0.00")))
                .andExpect(content().string(containsString("classification")))
                .andExpect(content().string(containsString("/models/tiny")))
                .andExpect(content().string(containsString("RUNNING")));
    }

    @Test
    void poolBrowserSearchesAndEscapes() throws Exception {
        mvc.perform(get("/admin/instructions").param("q", "vortex").with(user("admin")))
                .andExpect(status().isOk())
                .andExpect(content().string(containsString("1 matching instructions")))
                .andExpect(content().string(containsString("Alpha vortex kettle lamp ferocious")))
                .andExpect(content().string(not(containsString("window.__x"))));
        mvc.perform(get("/admin/instructions").param("classification", "true").with(user("admin")))
                .andExpect(content().string(containsString("&lt;script&gt;window.__x=1&lt;/script&gt;")))
                .andExpect(content().string(not(containsString("<script>window.__x"))));
        mvc.perform(get("/admin/instructions").param("status", "nonsense").with(user("admin")))
                .andExpect(status().isBadRequest())
                .andExpect(content().string(containsString("Unknown status")));
    }

    @Test
    void paginationLinksKeepTheFilters() throws Exception {
        PoolRows rows = new PoolRows(jdbc);
        for (int i = 0; i < 5; i++) {
            rows.instruction("Vortex number " + i, "ACCEPTED", batch, null, false);
        }
        mvc.perform(get("/admin/instructions?q=vortex&size=2").with(user("admin")))
                .andExpect(content()
                        .string(containsString(
                                "href=\"/admin/instructions?q=vortex&amp;sort=newest&amp;size=2&amp;page=1\"")));
    }

    @Test
    void detailShowsInstancesSimilarAndTheLlmCallEscaped() throws Exception {
        jdbc.update(
                "update instruction set most_similar = ? where id = ?",
                "[{\"instructionId\":" + hostile + ",\"text\":\"neighbour\",\"score\":0.25}]",
                alpha);
        mvc.perform(get("/admin/instructions/" + alpha).with(user("admin")))
                .andExpect(status().isOk())
                .andExpect(content().string(containsString("&lt;i&gt;input&lt;/i&gt;")))
                .andExpect(content().string(containsString("output &amp; more")))
                .andExpect(content().string(containsString("href=\"/admin/instructions/" + hostile + "\"")))
                .andExpect(content().string(containsString("0.250")))
                .andExpect(content().string(containsString("Come up with tasks &lt;b&gt;bold&lt;/b&gt;")));
        mvc.perform(get("/admin/instructions/" + hostile).with(user("admin")))
                .andExpect(content().string(not(containsString("<img src=x"))));
        mvc.perform(get("/admin/instructions/999999").with(user("admin")))
                .andExpect(status().isNotFound())
                .andExpect(content().string(containsString("Instruction 999999")));
    }

    @Test
    void formsNeedTheCsrfToken() throws Exception {
        mvc.perform(post("/admin/instructions/" + alpha + "/reject").with(user("admin")))
                .andExpect(status().isForbidden());
        assertThat(instructions.findById(alpha).orElseThrow().getStatus()).isEqualTo(InstructionStatus.ACCEPTED);
    }

    @Test
    void rejectRestoreAndEditThroughTheForms() throws Exception {
        mvc.perform(post("/admin/instructions/" + alpha + "/reject")
                        .param("reason", "")
                        .with(user("admin"))
                        .with(csrf()))
                .andExpect(redirectedUrl("/admin/instructions/" + alpha))
                .andExpect(flash().attribute("message", "Rejected."));
        assertThat(instructions.findById(alpha).orElseThrow().getRejectReason()).isEqualTo("manual");
        mvc.perform(post("/admin/instructions/" + alpha + "/restore")
                        .with(user("admin"))
                        .with(csrf()))
                .andExpect(flash().attributeExists("message"));
        assertThat(instructions.findById(alpha).orElseThrow().getStatus()).isEqualTo(InstructionStatus.ACCEPTED);
        mvc.perform(post("/admin/instructions/" + hostile + "/edit")
                        .param("text", "Alpha vortex kettle lamp ferocious!")
                        .with(user("admin"))
                        .with(csrf()))
                .andExpect(flash().attribute("error", containsString("instruction " + alpha)));
        mvc.perform(post("/admin/instructions/" + hostile + "/edit")
                        .param("text", "Name three moons of Jupiter")
                        .with(user("admin"))
                        .with(csrf()))
                .andExpect(flash().attributeExists("message"));
        assertThat(instructions.findById(hostile).orElseThrow().getText()).isEqualTo("Name three moons of Jupiter");
    }

    @Test
    void batchesPageStartsPausesAndCancels() throws Exception {
        mvc.perform(get("/admin/batches").with(user("admin")))
                .andExpect(status().isOk())
                .andExpect(content().string(containsString("hx-get=\"/admin/batches/table\"")))
                .andExpect(content().string(containsString("hx-trigger=\"every 1s\"")));
        mvc.perform(post("/admin/batches")
                        .param("mode", "self-instruct")
                        .param("targetInstructions", "0")
                        .with(user("admin"))
                        .with(csrf()))
                .andExpect(flash().attribute("error", containsString("targetInstructions")));
        mvc.perform(post("/admin/batches")
                        .param("mode", "self-instruct")
                        .param("targetInstructions", "25")
                        .param("seedSet", "")
                        .param("model", "")
                        .param("temperature", "0.5")
                        .with(user("admin"))
                        .with(csrf()))
                .andExpect(redirectedUrl("/admin/batches"))
                .andExpect(flash().attribute("message", containsString("queued")));
        long id = batches.findAll().stream().mapToLong(b -> b.getId()).max().orElseThrow();
        assertThat(batches.findById(id).orElseThrow().getTarget()).isEqualTo(25);
        mvc.perform(get("/admin/batches/table").with(user("admin")))
                .andExpect(content().string(containsString("id=\"batch-" + id + "\"")))
                .andExpect(content().string(containsString("0 / 25")))
                .andExpect(content().string(not(containsString("<html"))));
        mvc.perform(post("/admin/batches/" + id + "/pause").with(user("admin")).with(csrf()))
                .andExpect(flash().attribute("message", "Batch " + id + " paused."));
        mvc.perform(post("/admin/batches/" + id + "/pause").with(user("admin")).with(csrf()))
                .andExpect(flash().attribute("error", containsString("PAUSED")));
        mvc.perform(post("/admin/batches/" + id + "/cancel").with(user("admin")).with(csrf()))
                .andExpect(flash().attribute("message", "Batch " + id + " cancelled."));
    }

    @Test
    void batchFormForecastsBeforeStartingAndStoresNothing() throws Exception {
        long before = batches.count();
        Forecast.Expected expected = batchService.forecast(json.readValue("""
                {"mode":"self-instruct","targetInstructions":300,"delivery":"batch-api","reuseAnswers":true}""", BatchRequest.class));
        String page = mvc.perform(post("/admin/batches/forecast")
                        .param("mode", "self-instruct")
                        .param("targetInstructions", "300")
                        .param("delivery", "batch-api")
                        .param("reuseAnswers", "true")
                        .with(user("admin"))
                        .with(csrf()))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(page)
                .contains("id=\"forecast\"")
                .contains("<strong>" + expected.totalCalls() + "</strong> calls")
                .contains(String.format(java.util.Locale.ROOT, "$%.4f", expected.costUsd()))
                .contains("for <span>300</span> instructions")
                .contains("<span>batch-api</span> delivery")
                // the form keeps what was entered
                .contains("value=\"300\"")
                .contains("<option value=\"batch-api\" selected=\"selected\"");
        assertThat(expected.totalCalls()).isPositive();
        for (var step : expected.calls().entrySet()) {
            assertThat(page)
                    .contains("id=\"forecast-" + step.getKey() + "\"><span>" + step.getKey()
                            + "</span>:\n          <strong>" + step.getValue() + "</strong> calls");
        }
        mvc.perform(post("/admin/batches/forecast")
                        .param("targetInstructions", "0")
                        .with(user("admin"))
                        .with(csrf()))
                .andExpect(status().isOk())
                .andExpect(content().string(containsString("targetInstructions")))
                .andExpect(content().string(not(containsString("id=\"forecast\""))));
        assertThat(batches.count()).isEqualTo(before);

        mvc.perform(post("/admin/batches")
                        .param("targetInstructions", "5")
                        .param("delivery", "batch-api")
                        .param("reuseAnswers", "true")
                        .param("structuredOutputs", "true")
                        .param("api", "chat")
                        .with(user("admin"))
                        .with(csrf()))
                .andExpect(flash().attribute("message", containsString("queued")));
        long id = batches.findAll().stream().mapToLong(b -> b.getId()).max().orElseThrow();
        mvc.perform(post("/admin/batches/" + id + "/cancel").with(user("admin")).with(csrf()));
        BatchConfig config = batchService.view(id).config();
        assertThat(config.delivery()).isEqualTo("batch-api");
        assertThat(config.reuseAnswers()).isTrue();
        assertThat(config.structuredOutputs()).isTrue();
    }

    @Test
    void exportsDownloadWithoutTheApiKey() throws Exception {
        mvc.perform(get("/admin/exports").with(user("admin")))
                .andExpect(status().isOk())
                .andExpect(content().string(containsString("action=\"/admin/export\"")));
        mvc.perform(get("/admin/export")
                        .param("format", "alpaca")
                        .param("classification", "false")
                        .with(user("admin")))
                .andExpect(status().isOk())
                .andExpect(header().string("Content-Disposition", containsString("alpaca_data.json")))
                .andExpect(content().string(containsString("Alpha vortex kettle lamp ferocious")))
                .andExpect(content().string(not(containsString("window.__x"))));
        mvc.perform(get("/admin/export").param("format", "alpaca")).andExpect(status().is3xxRedirection());
        mvc.perform(get("/v3/api-docs"))
                .andExpect(status().isOk())
                .andExpect(content().string(containsString("/api/export")))
                .andExpect(content().string(not(containsString("/admin/export"))));
    }

    @Test
    void fineTunePageListsJobsWithMetricsAndSamples() throws Exception {
        FineTuneJob job = new FineTuneJob("/models/tiny", "lora", "{}", "{}", "cpu");
        job.setStatus(FineTuneStatus.RUNNING);
        job.setStep(5);
        job.setTotalSteps(20);
        job.setMetricsJson("[{\"step\":1,\"loss\":2.5,\"lr\":0.0003},{\"step\":5,\"loss\":1.9,\"evalLoss\":2.0}]");
        job.setSamplesJson("[{\"instruction\":\"" + XSS.replace("\"", "\\\"") + "\",\"output\":\"fine\"}]");
        jobs.save(job);
        mvc.perform(get("/admin/finetune").with(user("admin")))
                .andExpect(status().isOk())
                .andExpect(content().string(containsString("step 5 of 20")))
                .andExpect(content().string(containsString("data-metrics=\"[{&quot;step&quot;:1")))
                .andExpect(content().string(containsString("&lt;script&gt;window.__x=1&lt;/script&gt;")))
                .andExpect(content().string(containsString("action=\"/admin/finetune\"")));
        mvc.perform(get("/admin/finetune/jobs").with(user("admin")))
                .andExpect(content().string(containsString("id=\"finetune-jobs\"")));
    }

    @Test
    void fineTuneFormGoesThroughTheApisValidation() throws Exception {
        long before = jobs.count();
        mvc.perform(post("/admin/finetune")
                        .with(user("admin"))
                        .with(csrf())
                        .param("baseModel", "/etc")
                        .param("r", "8")
                        .param("targetModules", "q_proj, v_proj"))
                .andExpect(status().is3xxRedirection())
                .andExpect(redirectedUrl("/admin/finetune"))
                .andExpect(flash().attribute("error", containsString("model roots")));
        assertThat(jobs.count()).isEqualTo(before);
        mvc.perform(post("/admin/finetune").with(user("admin")).param("baseModel", "/etc"))
                .andExpect(status().isForbidden());
    }
}
