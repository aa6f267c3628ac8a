package io.selfinstruct.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.selfinstruct.support.ScriptedLlmServer;
import io.selfinstruct.support.SelfInstructScript;
import org.assertj.core.data.Offset;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code POST /api/batches?dryRun=true}: the expected calls, tokens and cost, with no call made. */
@SpringBootTest(properties = "selfinstruct.batches.poll-interval=100ms")
@AutoConfigureMockMvc
class ForecastTest {

    static final ScriptedLlmServer server = ScriptedLlmServer.start(new SelfInstructScript(true, false), 0);
    static final String BATCH = """
            {"targetInstructions":50,"api":"completions","concurrency":2,"seedSet":"default"}""";

    @DynamicPropertySource
    static void llm(DynamicPropertyRegistry registry) {
        registry.add("selfinstruct.llm.base-url", server::baseUrl);
        registry.add("selfinstruct.llm.model", () -> "priced-model");
        registry.add("selfinstruct.llm.prices[priced-model].input-per-million", () -> "2");
        registry.add("selfinstruct.llm.prices[priced-model].output-per-million", () -> "8");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Autowired
    MockMvc mvc;

    @Autowired
    JsonMapper json;

    @Autowired
    BatchRepository batches;

    @Test
    void theForecastOfABatchIsWithinAQuarterOfTheCallsItThenMakes() throws Exception {
        long batchesBefore = batches.count();
        int requestsBefore = server.requests();
        JsonNode reference = dryRun(BATCH);
        assertThat(reference.get("yield").get("basis").asString()).isEqualTo("reference scripts' typical rate");
        assertThat(reference.get("totalCalls").asLong()).isPositive();
        assertThat(reference.get("costUsd").asDouble()).isPositive();
        assertThat(batches.count()).as("nothing stored").isEqualTo(batchesBefore);
        assertThat(server.requests()).as("nothing called").isEqualTo(requestsBefore);

        BatchCalls api = new BatchCalls(mvc, json);
        JsonNode earlier = api.runToEnd(BATCH);
        assertThat(earlier.get("status").asString()).isEqualTo("COMPLETED");

        JsonNode forecast = dryRun(BATCH);
        assertThat(forecast.get("yield").get("basisBatchIds").get(0).asLong())
                .isEqualTo(earlier.get("id").asLong());
        JsonNode actual = api.runToEnd(BATCH);
        long calls = actual.get("requests").asLong();
        assertThat((double) forecast.get("totalCalls").asLong())
                .as("forecast %s, actual %d calls", forecast, calls)
                .isCloseTo(calls, Percentage.withPercentage(25));
        double tokens = actual.get("promptTokens").asLong()
                + actual.get("completionTokens").asLong();
        assertThat((double) forecast.get("promptTokens").asLong()
                        + forecast.get("completionTokens").asLong())
                .isCloseTo(tokens, Percentage.withPercentage(25));
        assertThat(forecast.get("costUsd").asDouble())
                .isCloseTo(actual.get("costUsd").asDouble(), Percentage.withPercentage(25));
        System.out.printf(
                "forecast: %d calls, $%.5f; actual: %d calls, $%.5f%n",
                forecast.get("totalCalls").asLong(),
                forecast.get("costUsd").asDouble(),
                calls,
                actual.get("costUsd").asDouble());

        // the same forecast at the batch price (both now based on the two batches run)
        JsonNode online = dryRun(BATCH);
        JsonNode batchApi = dryRun(BATCH.replace("{", "{\"delivery\":\"batch-api\","));
        assertThat(batchApi.get("totalCalls").asLong())
                .isEqualTo(online.get("totalCalls").asLong());
        assertThat(batchApi.get("costUsd").asDouble())
                .isCloseTo(online.get("costUsd").asDouble() / 2, Offset.offset(1e-9));
    }

    @Test
    void aDryRunIsCheckedLikeABatch() throws Exception {
        mvc.perform(post("/api/batches?dryRun=true")
                        .header("X-API-Key", "test-key")
                        .contentType("application/json")
                        .content("{\"targetInstructions\":5,\"seedSet\":\"nope\"}"))
                .andExpect(status().isBadRequest());
    }

    private JsonNode dryRun(String body) throws Exception {
        return json.readTree(mvc.perform(post("/api/batches?dryRun=true")
                        .header("X-API-Key", "test-key")
                        .contentType("application/json")
                        .content(body))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString());
    }
}
