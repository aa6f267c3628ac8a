package io.selfinstruct.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code /api/batches} as the tests of a Spring context call it: create, read, wait for the end. */
record BatchCalls(MockMvc mvc, JsonMapper json) {

    static final List<String> ENDED = List.of("COMPLETED", "FAILED", "CANCELLED", "PAUSED");

    JsonNode create(String body) throws Exception {
        return json.readTree(mvc.perform(post("/api/batches")
                        .header("X-API-Key", "test-key")
                        .contentType("application/json")
                        .content(body))
                .andExpect(status().isAccepted())
                .andReturn()
                .getResponse()
                .getContentAsString());
    }

    JsonNode batch(long id) throws Exception {
        return json.readTree(mvc.perform(get("/api/batches/" + id).header("X-API-Key", "test-key"))
                .andExpect(status().isOk())
                .andReturn()
                .getResponse()
                .getContentAsString());
    }

    /** Creates the batch and waits until it ends; fails on a batch error. */
    JsonNode runToEnd(String body) throws Exception {
        return awaitEnd(create(body).get("id").asLong());
    }

    JsonNode awaitEnd(long id) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        JsonNode batch = batch(id);
        while (!ENDED.contains(batch.get("status").asString())) {
            assertThat(Instant.now()).as("batch %d never ended: %s", id, batch).isBefore(deadline);
            Thread.sleep(100);
            batch = batch(id);
        }
        assertThat(batch.get("error").isNull())
                .as("error: %s", batch.get("error"))
                .isTrue();
        return batch;
    }
}
