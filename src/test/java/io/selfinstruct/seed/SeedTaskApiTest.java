package io.selfinstruct.seed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;

@SpringBootTest
@AutoConfigureMockMvc
class SeedTaskApiTest {

    @Autowired
    MockMvc mvc;

    @Autowired
    SeedTaskRepository repository;

    String published() throws Exception {
        return Files.readString(Path.of("src/test/resources/seed/published_format.jsonl"), StandardCharsets.UTF_8);
    }

    ResultActions importSet(String set, String body) throws Exception {
        return mvc.perform(post("/api/seed-tasks")
                .param("set", set)
                .header("X-API-Key", "test-key")
                .contentType("application/x-ndjson")
                .content(body));
    }

    @Test
    void projectSetsAreLoadedAtStart() throws Exception {
        assertThat(repository.countBySeedSet("default")).isGreaterThanOrEqualTo(175);
        assertThat(repository.countBySeedSet("zh")).isGreaterThanOrEqualTo(60);
        mvc.perform(get("/api/seed-sets").header("X-API-Key", "test-key"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$[?(@.name=='default')].count").exists());
    }

    @Test
    void importsThePublishedFormatAndListsItBack() throws Exception {
        importSet("x", published())
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.imported").value(3));

        mvc.perform(get("/api/seed-tasks").param("set", "x").header("X-API-Key", "test-key"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.length()").value(3))
                .andExpect(jsonPath("$[1].id").value("seed_task_1"))
                .andExpect(jsonPath("$[1].is_classification").value(true))
                .andExpect(jsonPath("$[2].instances[1].input").value("-40 °C"))
                .andExpect(jsonPath("$[0].instances[0].input").value(""));
    }

    @Test
    void importReplacesTheSetWhole() throws Exception {
        importSet("replace-me", published()).andExpect(status().isCreated());
        String oneTask = published().lines().findFirst().orElseThrow();
        importSet("replace-me", oneTask).andExpect(status().isCreated());
        assertThat(repository.findBySeedSetOrderByPosition("replace-me"))
                .extracting(SeedTask::getTaskId)
                .containsExactly("seed_task_0");
    }

    @Test
    void multipartUploadWorks() throws Exception {
        var file = new MockMultipartFile(
                "file",
                "seed_tasks.jsonl",
                "application/octet-stream",
                published().getBytes(StandardCharsets.UTF_8));
        mvc.perform(multipart("/api/seed-tasks")
                        .file(file)
                        .param("set", "uploaded")
                        .header("X-API-Key", "test-key"))
                .andExpect(status().isCreated())
                .andExpect(jsonPath("$.imported").value(3));
    }

    @Test
    void oneBadLineRejectsTheFileWholeAndLeavesTheSetUnchanged() throws Exception {
        importSet("y", published()).andExpect(status().isCreated());
        String[] lines = published().split("\n");

        String missingInstruction =
                lines[0] + "\n" + lines[1].replace("\"instruction\":", "\"instr\":") + "\n" + lines[2];
        expect400(importSet("y", missingInstruction), "line 2: field 'instruction' is missing");

        String invalidJson = lines[0] + "\n" + lines[1] + "\n" + lines[2].substring(0, 40);
        expect400(importSet("y", invalidJson), "line 3: invalid JSON");

        String instancesNotList =
                lines[0].replace("\"instances\": [", "\"instances\": {\"x\": [").replace("}], \"is_", "}]}, \"is_");
        expect400(importSet("y", instancesNotList), "line 1: field 'instances' must be a list");

        String duplicateId = lines[0] + "\n" + lines[1] + "\n" + lines[2].replace("seed_task_2", "seed_task_0");
        expect400(importSet("y", duplicateId), "line 3: field 'id' duplicate id \"seed_task_0\" (first on line 1)");

        String wrongType = lines[0].replace("\"is_classification\": false", "\"is_classification\": \"no\"");
        expect400(importSet("y", wrongType), "line 1: field 'is_classification' must be true or false");

        assertThat(repository.findBySeedSetOrderByPosition("y"))
                .extracting(SeedTask::getTaskId)
                .containsExactly("seed_task_0", "seed_task_1", "seed_task_2");
    }

    @Test
    void badSetNameAndEmptyBodyAre400() throws Exception {
        expect400(importSet("../etc", published()), "Seed set names");
        expect400(importSet("z", ""), "empty");
    }

    private static void expect400(ResultActions result, String detail) throws Exception {
        result.andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.status").value(400))
                .andExpect(jsonPath("$.detail").value(containsString(detail)));
    }
}
