package io.selfinstruct.finetune.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.selfinstruct.llama.ModelTokenizer;
import io.selfinstruct.llama.NextTokenLoss;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prompt masking, length limits, eos, chat template, packing and the seeded split. */
class ExampleEncoderTest {

    private static final Path MODEL = Path.of("src/test/resources/golden/tiny-llama/model");
    private static final Example EXAMPLE = new Example("Spell the word backwards.", "stone", "enots");

    @Test
    void promptTokensAreMaskedUnlessTrainingOnInputs() {
        try (ModelTokenizer tokenizer = ModelTokenizer.load(MODEL)) {
            long[] prompt = tokenizer.encode(AlpacaTemplate.prompt(EXAMPLE.instruction(), EXAMPLE.input()));
            long[] response = tokenizer.encodeWithoutSpecialTokens("enots");
            TokenizedExample masked =
                    encoder(tokenizer, 512, 512, 512, false).encode(EXAMPLE).orElseThrow();
            assertEquals(prompt.length + response.length + 1, masked.length());
            assertEquals(1L, masked.ids()[0], "bos");
            assertEquals(2L, masked.ids()[masked.length() - 1], "eos closes the response");
            for (int i = 0; i < masked.length(); i++) {
                long expected = i < prompt.length ? NextTokenLoss.IGNORE_INDEX : masked.ids()[i];
                assertEquals(expected, masked.labels()[i], "label " + i);
            }
            assertEquals(response.length + 1, masked.targetCount());

            TokenizedExample open =
                    encoder(tokenizer, 512, 512, 512, true).encode(EXAMPLE).orElseThrow();
            assertArrayEquals(open.ids(), open.labels());
            assertArrayEquals(masked.ids(), open.ids());
        }
    }

    @Test
    void lengthsAreCutAndExamplesWithNothingToLearnDropped() {
        try (ModelTokenizer tokenizer = ModelTokenizer.load(MODEL)) {
            TokenizedExample cut =
                    encoder(tokenizer, 512, 10, 2, false).encode(EXAMPLE).orElseThrow();
            assertEquals(10 + 2 + 1, cut.length(), "prompt 10, response 2, eos");
            assertEquals(3, cut.targetCount());
            TokenizedExample cutoff =
                    encoder(tokenizer, 20, 512, 512, true).encode(EXAMPLE).orElseThrow();
            assertEquals(20, cutoff.length());
            assertTrue(
                    encoder(tokenizer, 20, 512, 512, false).encode(EXAMPLE).isEmpty(),
                    "the prompt fills the cutoff: no response token is left to learn");
        }
    }

    @Test
    void chatTemplateWrapsTheUserTurn(@TempDir Path dir) throws Exception {
        for (String file : List.of("config.json", "tokenizer.json")) {
            Files.copy(MODEL.resolve(file), dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"bos_token": "<s>", "eos_token": "</s>",
                 "chat_template": "{{ bos_token }}{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}\\n{% endfor %}{% if add_generation_prompt %}[assistant] {% endif %}"}
                """);
        try (ModelTokenizer tokenizer = ModelTokenizer.load(dir)) {
            long[] prompt = PromptFormat.CHAT.promptIds(tokenizer, "Spell it.", "stone");
            assertArrayEquals(
                    tokenizer.encodeWithoutSpecialTokens("<s>[user] Spell it.\n\nstone\n[assistant] "), prompt);
            long[] alpaca = PromptFormat.ALPACA.promptIds(tokenizer, "Spell it.", "stone");
            assertNotEquals(alpaca.length, prompt.length);
        }
        assertThrows(IllegalArgumentException.class, () -> PromptFormat.parse("vicuna"));
    }

    @Test
    void packingFillsSequencesUpToTheCutoffKeepingLabelsAndExampleBoundaries() {
        TokenizedExample a = new TokenizedExample(new long[] {1, 5, 6}, new long[] {-100, 5, 6});
        TokenizedExample b = new TokenizedExample(new long[] {1, 7}, new long[] {1, 7}); // trained on its inputs
        TokenizedExample c = new TokenizedExample(new long[] {1, 8, 9, 10}, new long[] {-100, -100, 9, 10});
        List<TokenizedExample> packed = Packing.pack(List.of(a, b, c), 5);
        assertEquals(2, packed.size());
        assertArrayEquals(new long[] {1, 5, 6, 1, 7}, packed.get(0).ids());
        assertArrayEquals(
                new long[] {-100, 5, 6, -100, 7}, packed.get(0).labels(), "b's first token is no target of a's last");
        assertArrayEquals(new int[] {0, 3}, packed.get(0).starts());
        assertArrayEquals(new long[] {1, 1, 1, 2, 2}, packed.get(0).exampleNumbers());
        assertEquals(a.targetCount() + b.targetCount(), packed.get(0).targetCount());
        assertArrayEquals(c.ids(), packed.get(1).ids());
        assertArrayEquals(new long[] {1, 1, 1, 1}, packed.get(1).exampleNumbers());
        assertThrows(IllegalArgumentException.class, () -> Packing.pack(packed, 16), "a packed row is packed once");
    }

    @Test
    void theValidationSplitIsSeeded() {
        List<TokenizedExample> all = java.util.stream.LongStream.range(0, 20)
                .mapToObj(i -> new TokenizedExample(new long[] {1, i}, new long[] {1, i}))
                .toList();
        TrainingSet first = TrainingSet.split(all, 5, 7, false, 16);
        TrainingSet again = TrainingSet.split(all, 5, 7, false, 16);
        TrainingSet other = TrainingSet.split(all, 5, 8, false, 16);
        assertEquals(5, first.validation().size());
        assertEquals(15, first.train().size());
        assertEquals(ids(first.validation()), ids(again.validation()));
        assertNotEquals(ids(first.validation()), ids(other.validation()));
        assertThrows(IllegalArgumentException.class, () -> TrainingSet.split(all, 20, 7, false, 16));
    }

    @Test
    void alpacaFilesAreReadAsJsonOrJsonl() {
        List<Example> json = AlpacaFile.parse("[{\"instruction\": \"a\", \"input\": \"b\", \"output\": \"c\"}]");
        List<Example> jsonl = AlpacaFile.parse("{\"instruction\": \"a\", \"input\": \"b\", \"output\": \"c\"}\n"
                + "{\"instruction\": \"d\", \"output\": \"e\"}\n");
        assertEquals(List.of(new Example("a", "b", "c")), json);
        assertEquals(new Example("d", "", "e"), jsonl.get(1));
        assertThrows(IllegalArgumentException.class, () -> AlpacaFile.parse("[{\"instruction\": \"a\"}]"));
        assertThrows(IllegalArgumentException.class, () -> AlpacaFile.parse("[{"));
    }

    private static List<String> ids(List<TokenizedExample> examples) {
        return examples.stream().map(e -> Arrays.toString(e.ids())).toList();
    }

    private static ExampleEncoder encoder(
            ModelTokenizer tokenizer, int cutoff, int maxPrompt, int maxResponse, boolean trainOnInputs) {
        return new ExampleEncoder(tokenizer, PromptFormat.ALPACA, 2L, cutoff, maxPrompt, maxResponse, trainOnInputs);
    }
}
