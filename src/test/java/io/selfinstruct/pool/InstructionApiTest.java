package io.selfinstruct.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.patch;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

@SpringBootTest
@AutoConfigureMockMvc
class InstructionApiTest {

    @Autowired
    MockMvc mvc;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    InstructionRepository instructions;

    @Autowired
    Admission admission;

    PoolRows rows;
    long batch;
    long zebra;
    long quartz;
    long rejected;
    long call;

    @BeforeEach
    void pool() {
        rows = new PoolRows(jdbc);
        rows.clear();
        admission.invalidate();
        batch = rows.batch(0.7);
        call = rows.llmCall(batch, "the prompt", "1. Zebra blorp");
        zebra = rows.instruction("Describe the zebra blorp quintessence ferociously", "ACCEPTED", batch, call, false);
        quartz = rows.instruction("Catalogue quartz glimmer vortex kettles", "ACCEPTED", batch, null, true);
        rejected = rows.instruction(
                "Describe the zebra blorp quintessence ferociously today", "REJECTED", batch, null, false);
        rows.instance(zebra, "", "Stripes.");
        jdbc.update(
                "update instruction set most_similar = ? where id = ?",
                "[{\"instructionId\":" + quartz
                        + ",\"text\":\"Catalogue quartz glimmer vortex kettles\",\"score\":0.12},"
                        + "{\"instructionId\":null,\"text\":\"a seed\",\"score\":0.05}]",
                zebra);
    }

    @Test
    void listsFiltersSearchesAndPages() throws Exception {
        mvc.perform(get("/api/instructions").header("X-API-Key", "test-key"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.total").value(3))
                .andExpect(jsonPath("$.items[0].id").value(rejected));
        mvc.perform(get("/api/instructions?q=ZEBRA&status=accepted").header("X-API-Key", "test-key"))
                .andExpect(jsonPath("$.total").value(1))
                .andExpect(jsonPath("$.totalExact").value(true))
                .andExpect(jsonPath("$.items[0].id").value(zebra));
        mvc.perform(get("/api/instructions?classification=true&batchId=" + batch)
                        .header("X-API-Key", "test-key"))
                .andExpect(jsonPath("$.items.length()").value(1))
                .andExpect(jsonPath("$.items[0].id").value(quartz));
        mvc.perform(get("/api/instructions?sort=oldest&size=2&page=0").header("X-API-Key", "test-key"))
                .andExpect(jsonPath("$.items[0].id").value(zebra))
                .andExpect(jsonPath("$.hasNext").value(true));
        mvc.perform(get("/api/instructions?sort=oldest&size=2&page=1").header("X-API-Key", "test-key"))
                .andExpect(jsonPath("$.items[0].id").value(rejected))
                .andExpect(jsonPath("$.hasNext").value(false));
        // LIKE wildcards in the search are literal
        mvc.perform(get("/api/instructions?q=%25").header("X-API-Key", "test-key"))
                .andExpect(jsonPath("$.total").value(0));
    }

    @Test
    void badParametersAre400WithTheReason() throws Exception {
        mvc.perform(get("/api/instructions?status=MAYBE").header("X-API-Key", "test-key"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("Unknown status 'MAYBE'")));
        mvc.perform(get("/api/instructions?size=1000").header("X-API-Key", "test-key"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("size must be between 1 and 200")));
        mvc.perform(get("/api/instructions?sort=random").header("X-API-Key", "test-key"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("newest, oldest, most_similar, least_similar")));
        patchJson(zebra, "{}").andExpect(status().isBadRequest());
        patchJson(zebra, "{\"status\":\"CANDIDATE\"}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("ACCEPTED (restore) or REJECTED")));
        patchJson(zebra, "{\"text\":\"   \"}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value("text must not be blank"));
        patchJson(zebra, "{\"rejectReason\":\"dull\"}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value("rejectReason goes with status REJECTED"));
        patchJson(999_999, "{\"status\":\"REJECTED\"}").andExpect(status().isNotFound());
    }

    @Test
    void detailHasInstancesMostSimilarAndTheLlmCall() throws Exception {
        mvc.perform(get("/api/instructions/" + zebra).header("X-API-Key", "test-key"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.instances[0].output").value("Stripes."))
                .andExpect(jsonPath("$.mostSimilar[0].instructionId").value(quartz))
                .andExpect(jsonPath("$.mostSimilar[0].score").value(0.12))
                .andExpect(jsonPath("$.mostSimilar[1].instructionId").doesNotExist())
                .andExpect(jsonPath("$.llmCall.id").value(call))
                .andExpect(jsonPath("$.llmCall.step").value("generate_instructions"))
                .andExpect(jsonPath("$.llmCall.model").value("scripted-model"));
    }

    @Test
    void rejectingStoresManualOrTheGivenReason() throws Exception {
        patchJson(quartz, "{\"status\":\"REJECTED\"}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("REJECTED"))
                .andExpect(jsonPath("$.rejectReason").value("manual"));
        patchJson(quartz, "{\"status\":\"REJECTED\",\"rejectReason\":\"off topic\"}")
                .andExpect(jsonPath("$.rejectReason").value("off topic"));
    }

    @Test
    void restoringATooSimilarInstructionIs409NamingTheOther() throws Exception {
        patchJson(rejected, "{\"status\":\"ACCEPTED\"}")
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.detail").value(containsString("instruction " + zebra)));
        assertThat(instructions.findById(rejected).orElseThrow().getStatus()).isEqualTo(InstructionStatus.REJECTED);
        // once the similar one is rejected, the restore passes and records its new neighbours
        patchJson(zebra, "{\"status\":\"REJECTED\"}").andExpect(status().isOk());
        patchJson(rejected, "{\"status\":\"ACCEPTED\"}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.status").value("ACCEPTED"))
                .andExpect(jsonPath("$.rejectReason").doesNotExist());
        Instruction restored = instructions.findById(rejected).orElseThrow();
        assertThat(restored.getMaxRouge()).isLessThanOrEqualTo(0.7);
        assertThat(restored.getMostSimilarJson())
                .contains("\"score\"")
                .doesNotContain("\"instructionId\":" + rejected + ",");
    }

    @Test
    void editingTextRechecksAgainstThePoolWithoutItself() throws Exception {
        // a small edit of itself is fine: its own old text does not count
        patchJson(zebra, "{\"text\":\"Describe the zebra blorp quintessence ferociously, please\"}")
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.text").value("Describe the zebra blorp quintessence ferociously, please"));
        // copying another pool instruction is not
        patchJson(zebra, "{\"text\":\"Catalogue quartz glimmer vortex kettles!\"}")
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.detail").value(containsString("instruction " + quartz)))
                .andExpect(jsonPath("$.detail").value(containsString("above the threshold 0.70")));
        assertThat(instructions.findById(zebra).orElseThrow().getText())
                .isEqualTo("Describe the zebra blorp quintessence ferociously, please");
    }

    @Test
    void theBatchThresholdDecides() throws Exception {
        long strict = rows.batch(0.2);
        long a = rows.instruction("Summarise plinth harbour lantern", "ACCEPTED", strict, null, false);
        rows.instruction("Summarise plinth harbour lantern mosaic today", "ACCEPTED", strict, null, false);
        long b = rows.instruction("Summarise plinth granite orchard", "REJECTED", strict, null, false);
        patchJson(b, "{\"status\":\"ACCEPTED\"}")
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.detail").value(containsString("above the threshold 0.20")));
        patchJson(a, "{\"text\":\"Summarise plinth harbour lantern quickly\"}").andExpect(status().isConflict());
    }

    private ResultActions patchJson(long id, String body) throws Exception {
        return mvc.perform(patch("/api/instructions/" + id)
                .header("X-API-Key", "test-key")
                .contentType(MediaType.APPLICATION_JSON)
                .content(body));
    }
}
