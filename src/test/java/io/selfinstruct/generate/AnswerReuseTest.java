package io.selfinstruct.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.patch;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.selfinstruct.llm.LlmCall;
import io.selfinstruct.llm.LlmCallRepository;
import io.selfinstruct.pool.InstructionRepository;
import io.selfinstruct.pool.InstructionStatus;
import io.selfinstruct.support.ScriptedLlmServer;
import io.selfinstruct.support.SelfInstructScript;
import java.util.List;
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

/** {@code reuseAnswers}: a re-run of a batch is answered from the stored calls of the first run, at no cost. */
@SpringBootTest(properties = "selfinstruct.batches.poll-interval=100ms")
@AutoConfigureMockMvc
class AnswerReuseTest {

    static final ScriptedLlmServer server = ScriptedLlmServer.start(new SelfInstructScript(true, false), 0);

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
    LlmCallRepository calls;

    @Autowired
    InstructionRepository instructions;

    @Test
    void aReRunMakesNoCallForTheRequestsItSharesWithTheFirstAndPaysNothingForThem() throws Exception {
        BatchCalls api = new BatchCalls(mvc, json);
        String body = """
                {"targetInstructions":15,"api":"completions","concurrency":1,"randomSeed":11,"reuseAnswers":true}""";
        JsonNode first = api.runToEnd(body);
        assertThat(first.get("status").asString()).isEqualTo("COMPLETED");
        assertThat(first.get("reusedCalls").asLong()).isZero();
        assertThat(first.get("costUsd").asDouble()).isPositive();
        long firstId = first.get("id").asLong();
        // the user threw the first run's instructions away (say, to try a stricter filter): they leave the pool
        for (var instruction : instructions.findAll()) {
            if (Long.valueOf(firstId).equals(instruction.getBatchId())
                    && instruction.getStatus() == InstructionStatus.ACCEPTED) {
                mvc.perform(patch("/api/instructions/" + instruction.getId())
                                .header("X-API-Key", "test-key")
                                .contentType("application/json")
                                .content("{\"status\":\"REJECTED\",\"rejectReason\":\"retry\"}"))
                        .andExpect(status().isOk());
            }
        }

        int requestsBefore = server.requests();
        JsonNode second = api.runToEnd(body);
        int sent = server.requests() - requestsBefore;

        assertThat(second.get("status").asString()).isEqualTo("COMPLETED");
        assertThat(second.get("accepted").asInt()).isEqualTo(15);
        List<LlmCall> secondCalls =
                calls.findByBatchIdOrderById(second.get("id").asLong());
        List<LlmCall> reused =
                secondCalls.stream().filter(c -> c.getReusedFrom() != null).toList();
        // the same questions in the same order: every one is answered from the first run
        assertThat(reused).hasSize(secondCalls.size()).hasSize((int)
                first.get("requests").asLong());
        assertThat(sent).isZero();
        assertThat(reused).allSatisfy(c -> {
            assertThat(c.getCostUsd()).isZero();
            assertThat(calls.findById(c.getReusedFrom()).orElseThrow().getBatchId())
                    .isEqualTo(firstId);
        });
        assertThat(reused.stream().map(LlmCall::getReusedFrom)).doesNotHaveDuplicates();
        assertThat(second.get("costUsd").asDouble()).isZero();
        assertThat(second.get("reusedCalls").asLong()).isEqualTo(reused.size());
    }

    @Test
    void withoutReuseTheSameBatchAsksTheServerAgain() throws Exception {
        BatchCalls api = new BatchCalls(mvc, json);
        String body = """
                {"targetInstructions":5,"api":"completions","concurrency":1,"randomSeed":12}""";
        api.runToEnd(body);
        int requestsBefore = server.requests();
        JsonNode again = api.runToEnd(body);
        assertThat(again.get("reusedCalls").asLong()).isZero();
        assertThat(server.requests() - requestsBefore)
                .isEqualTo(again.get("requests").asInt());
    }
}
