package io.selfinstruct.problem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.selfinstruct.generate.BatchRepository;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

/** A misspelt field in a JSON body is a 400 naming it, never a setting silently ignored. */
@SpringBootTest
@AutoConfigureMockMvc
class UnknownFieldTest {

    @Autowired
    MockMvc mvc;

    @Autowired
    BatchRepository batches;

    private ResultActions post(String path, String body) throws Exception {
        return mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post(path)
                .header("X-API-Key", "test-key")
                .contentType(MediaType.APPLICATION_JSON)
                .content(body));
    }

    @Test
    void aMisspeltBatchFieldIsA400NamingItAndNothingIsStored() throws Exception {
        long before = batches.count();
        post("/api/batches", "{\"targetInstructions\": 5, \"temprature\": 0.2}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.title").value("Unknown field"))
                .andExpect(jsonPath("$.detail")
                        .value(allOf(
                                containsString("'temprature'"),
                                containsString("temperature"),
                                not(containsString("io.")))));
        assertThat(batches.count()).isEqualTo(before);
    }

    @Test
    void aNestedUnknownFieldSaysWhereItIs() throws Exception {
        post("/api/finetune-jobs", "{\"baseModel\": \"/nowhere\", \"lora\": {\"rank\": 8}}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail")
                        .value(allOf(
                                containsString("'rank'"),
                                containsString("lora.rank"),
                                containsString("targetModules"))));
    }

    @Test
    void knownFieldsStillPass() throws Exception {
        post("/api/rouge/score", "{\"pairs\": [{\"a\": \"x y\", \"b\": \"x y\"}]}")
                .andExpect(status().isOk());
        post("/api/rouge/score", "{\"pairs\": [{\"a\": \"x y\", \"b\": \"x y\", \"c\": 1}]}")
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("'c'")));
    }
}
