package io.selfinstruct.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class FineTuningTemplatesTest {

    final FineTuningTemplates templates = FineTuningTemplates.load();

    @Test
    void sevenTemplatesWithInputAndSixWithoutEachEndingTheCompletionWithEndOfText() {
        assertThat(templates.withInput()).hasSize(7).allSatisfy(t -> {
            assertThat(t.prompt()).contains("{instruction}", "{input}").doesNotContain("{output}");
            assertThat(t.completion()).endsWith("{output}<|endoftext|>");
        });
        assertThat(templates.withoutInput()).hasSize(6).allSatisfy(t -> {
            assertThat(t.prompt()).contains("{instruction}").doesNotContain("{input}", "{output}");
            assertThat(t.completion()).endsWith("{output}<|endoftext|>");
        });
        assertThat(new HashSet<>(templates.withInput())).hasSize(7);
        assertThat(new HashSet<>(templates.withoutInput())).hasSize(6);
    }

    @Test
    void everyTemplateIsDrawnAndFieldsAreStripped() {
        Random random = new Random(1);
        Set<String> withInput = new HashSet<>();
        Set<String> withoutInput = new HashSet<>();
        for (int i = 0; i < 500; i++) {
            var pair = templates.encode(new ExportRecord("  Do it. ", " the input\n", " done \n"), random);
            assertThat(pair.prompt()).contains("Do it.").contains("the input").doesNotContain("  Do it", "input\n\n\n");
            assertThat(pair.completion()).matches(" ?done<\\|endoftext\\|>");
            withInput.add(pair.prompt());
            withoutInput.add(templates
                    .encode(new ExportRecord("Do it.", "   ", "done"), random)
                    .prompt());
        }
        assertThat(withInput).hasSize(7);
        assertThat(withoutInput).hasSize(6).allSatisfy(p -> assertThat(p).doesNotContain("Input"));
    }

    @Test
    void aSingleFieldLabelIsStrippedAboutHalfTheTime() {
        Random random = new Random(3);
        int stripped = 0;
        for (int i = 0; i < 1000; i++) {
            var pair = templates.encode(new ExportRecord("Classify.", "Sentence: I love it", "positive"), random);
            if (!pair.prompt().contains("Sentence:")) {
                stripped++;
                assertThat(pair.prompt()).contains("I love it");
            }
        }
        assertThat(stripped).isBetween(430, 570);
    }

    @Test
    void onlyASingleLeadingLabelCounts() {
        assertThat(FineTuningTemplates.withoutSingleLabel("Sentence: It is 10:30 now"))
                .isEqualTo("It is 10:30 now");
        assertThat(FineTuningTemplates.withoutSingleLabel("Product review:  Great value"))
                .isEqualTo("Great value");
        assertThat(FineTuningTemplates.withoutSingleLabel("Question: why?\nAnswer: because"))
                .isNull();
        assertThat(FineTuningTemplates.withoutSingleLabel("No label here")).isNull();
        assertThat(FineTuningTemplates.withoutSingleLabel("Empty:")).isNull();
        assertThat(FineTuningTemplates.withoutSingleLabel("see https://example.com"))
                .isNull();
    }

    @Test
    void placeholdersInsideTheTextAreNotSubstitutedAgain() {
        assertThat(FineTuningTemplates.render(
                        "{instruction}\nInput: {input}\nOutput:", "Use {input} and $1", "x\\y", "o"))
                .isEqualTo("Use {input} and $1\nInput: x\\y\nOutput:");
    }

    @Test
    void fineTuningDataDropsDuplicatePairsAndShufflesTheSameWayForTheSameSeed() throws Exception {
        List<String> first = fineTuningLines(11);
        // 50 instances, each three times: the copies differ only by the template drawn, so some are exact
        // duplicates (same template twice) and are dropped, and at least one line per instance remains
        assertThat(first.size()).isBetween(51, 149);
        assertThat(new HashSet<>(first)).hasSize(first.size());
        assertThat(first.stream().map(l -> l.replaceAll("[^0-9]", "")).distinct())
                .hasSize(50);
        assertThat(fineTuningLines(11)).isEqualTo(first);
        assertThat(fineTuningLines(12)).isNotEqualTo(first);
    }

    private List<String> fineTuningLines(long seed) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (FineTuningData data = new FineTuningData(templates, seed)) {
            for (int i = 0; i < 50; i++) {
                for (int copy = 0; copy < 3; copy++) {
                    data.add(new ExportRecord("Task " + i, "", "answer " + i));
                }
            }
            data.writeShuffled(out);
            assertThat(data.fileName()).isEqualTo("gpt3_finetuning_data_" + data.size() + ".jsonl");
        }
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        for (String line : lines) {
            JsonNode pair = ExportApi.JSON.readTree(line);
            assertThat(ExportApi.fieldNames(pair)).containsExactly("prompt", "completion");
        }
        return lines;
    }
}
