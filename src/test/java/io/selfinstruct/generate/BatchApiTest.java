package io.selfinstruct.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import io.selfinstruct.llm.LlmCall;
import io.selfinstruct.llm.LlmCallRepository;
import io.selfinstruct.pool.InstanceRepository;
import io.selfinstruct.pool.Instruction;
import io.selfinstruct.pool.InstructionRepository;
import io.selfinstruct.pool.InstructionStatus;
import io.selfinstruct.rouge.RougeL;
import io.selfinstruct.rouge.RougeTokenizer;
import io.selfinstruct.support.ScriptedLlmServer;
import io.selfinstruct.support.SelfInstructScript;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
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

/** {@code "delivery": "batch-api"} against a local server that speaks OpenAI's files and batches endpoints. */
@SpringBootTest(properties = {"selfinstruct.batches.poll-interval=100ms", "selfinstruct.llm.batch-poll-interval=20ms"})
@AutoConfigureMockMvc
class BatchApiTest {

    static final ScriptedLlmServer server = ScriptedLlmServer.start(new SelfInstructScript(true, false), 0);
    static final double INPUT_PRICE = 2;
    static final double OUTPUT_PRICE = 8;

    @DynamicPropertySource
    static void llm(DynamicPropertyRegistry registry) {
        registry.add("selfinstruct.llm.base-url", server::baseUrl);
        registry.add("selfinstruct.llm.model", () -> "priced-model");
        registry.add("selfinstruct.llm.prices[priced-model].input-per-million", () -> INPUT_PRICE);
        registry.add("selfinstruct.llm.prices[priced-model].output-per-million", () -> OUTPUT_PRICE);
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
    InstructionRepository instructions;

    @Autowired
    InstanceRepository instances;

    @Autowired
    LlmCallRepository calls;

    @Test
    void aBatchApiBatchReachesExactlyItsTargetThroughWavesWithAnExpiredBatchAndFailedLines() throws Exception {
        // the first provider batch expires with half its lines answered; three classification lines fail once
        server.batches().expireNext(1);
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        server.batches().failLines(id -> id.contains(":cls:") && failedOnce.size() < 3 && failedOnce.add(id));
        int onlineBefore = server.requests();

        JsonNode batch = new BatchCalls(mvc, json).runToEnd("""
                {"targetInstructions":40,"api":"chat","delivery":"batch-api","randomSeed":3}""");

        assertThat(batch.get("status").asString()).isEqualTo("COMPLETED");
        assertThat(batch.get("delivery").asString()).isEqualTo("batch-api");
        assertThat(batch.get("accepted").asInt()).isEqualTo(40);
        assertThat(server.requests()).as("no online call").isEqualTo(onlineBefore);
        long id = batch.get("id").asLong();
        List<Instruction> accepted = instructions.findAll().stream()
                .filter(i -> Long.valueOf(id).equals(i.getBatchId()) && i.getStatus() == InstructionStatus.ACCEPTED)
                .toList();
        assertThat(accepted).hasSize(40);
        for (Instruction instruction : accepted) {
            assertThat(instruction.getClassification()).isNotNull();
            assertThat(instruction.getMaxRouge()).isBetween(0.0, 0.7);
            assertThat(instances.findByInstructionIdOrderByPosition(instruction.getId()))
                    .anyMatch(i -> i.getStatus() == InstructionStatus.ACCEPTED);
        }
        for (int a = 0; a < accepted.size(); a++) {
            for (int b = a + 1; b < accepted.size(); b++) {
                assertThat(RougeL.score(
                                        accepted.get(a).getText(),
                                        accepted.get(b).getText(),
                                        RougeTokenizer.DEFAULT)
                                .fmeasure())
                        .isLessThanOrEqualTo(0.7);
            }
        }
        assertThat(json.convertValue(batch.get("rejected"), Map.class))
                .containsKeys("rouge_similar", "too_long", "no_valid_instances", "conflicting_instances");

        // waves: step 1, then steps 2 and 3 of what came back; the API shows each with the provider's status
        JsonNode waves = batch.get("waves");
        assertThat(waves.size())
                .isGreaterThanOrEqualTo(3)
                .isEqualTo(server.batches().creates());
        assertThat(server.batches().uploads()).isEqualTo(server.batches().creates());
        assertThat(waves.get(0).get("providerStatus").asString()).isEqualTo("expired");
        for (JsonNode wave : waves) {
            assertThat(wave.get("state").asString()).isEqualTo("INGESTED");
            assertThat(wave.get("providerBatchId").asString()).startsWith("batch_");
            assertThat(wave.get("completed").asInt() + wave.get("failed").asInt())
                    .isEqualTo(wave.get("requests").asInt());
        }
        // only what expired or failed was sent again, and each of those once
        List<String> submitted = server.batches().submittedCustomIds();
        Map<String, Long> times =
                submitted.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(server.batches().unansweredLines()).isPositive();
        assertThat(submitted.size() - times.size()).isEqualTo(server.batches().unansweredLines());
        assertThat(times.values()).allMatch(n -> n <= 2);
        assertThat(failedOnce).hasSize(3).allMatch(k -> times.get(k) == 2);

        // every call is billed at the batch price: half the online price of its tokens
        List<LlmCall> stored = calls.findByBatchIdOrderById(id);
        assertThat(stored).isNotEmpty();
        double total = 0;
        for (LlmCall call : stored) {
            double online = (call.getPromptTokens() * INPUT_PRICE + call.getCompletionTokens() * OUTPUT_PRICE) / 1e6;
            assertThat(call.getCostUsd()).isCloseTo(online / 2, org.assertj.core.data.Offset.offset(1e-12));
            total += call.getCostUsd();
        }
        assertThat(total).isPositive();
        assertThat(batch.get("costUsd").asDouble()).isCloseTo(total, org.assertj.core.data.Offset.offset(1e-9));

        // the admin page shows each wave with the provider's batch id, its status and counts
        String table = mvc.perform(get("/admin/batches/table").with(user("admin")))
                .andReturn()
                .getResponse()
                .getContentAsString();
        assertThat(table).contains("batch-api");
        for (JsonNode wave : waves) {
            String row = table.substring(table.indexOf(
                    "id=\"batch-" + id + "-wave-" + wave.get("wave").asInt() + "\""));
            row = row.substring(0, row.indexOf("</li>"));
            assertThat(row)
                    .contains(wave.get("providerBatchId").asString())
                    .contains(">" + wave.get("providerStatus").asString() + "<")
                    .contains("INGESTED")
                    .contains(wave.get("completed").asInt() + "/"
                            + wave.get("requests").asInt() + " done");
        }
    }
}
