package io.selfinstruct.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfinstruct.generate.InstanceParser.Example;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseParsersTest {

    static final String CLEAN = " Suggest three names for a bakery that sells only sourdough.\n"
            + "10. Rewrite the sentence in the passive voice.\n"
            + "11. What are the main causes of inflation in a small open economy?\n"
            + "12. Classify the news headline as politics, sports, or business.";

    static final List<String> EXPECTED = List.of(
            "Suggest three names for a bakery that sells only sourdough.",
            "Rewrite the sentence in the passive voice.",
            "What are the main causes of inflation in a small open economy?",
            "Classify the news headline as politics, sports, or business.");

    @Test
    void readsTheContinuationOfANumberedList() {
        var parsed = InstructionListParser.parse(CLEAN, false, false);
        assertThat(parsed.instructions()).isEqualTo(EXPECTED);
        assertThat(parsed.truncated()).isNull();
    }

    @Test
    void chatDecorationParsesToTheSameInstructions() {
        String chat = "Sure! Here are some more tasks:\n\n"
                + "9. **Suggest three names for a bakery that sells only sourdough.**\n\n"
                + "10. Rewrite the sentence in the   passive voice.\n"
                + "11) **What are the main causes of inflation in a small open economy?**\n"
                + "12. Task: Classify the news headline as politics, sports, or business.\n\n"
                + "Let me know if you would like more!";
        assertThat(InstructionListParser.parse(chat, false, false).instructions())
                .isEqualTo(EXPECTED);

        String restarted = "1. Suggest three names for a bakery that sells only sourdough.\r\n"
                + "2. Rewrite the sentence in the passive voice.\r\n"
                + "3. What are the main causes of inflation in a small open economy?\r\n"
                + "4. Classify the news headline as politics, sports, or business.\r\n";
        assertThat(InstructionListParser.parse(restarted, false, false).instructions())
                .isEqualTo(EXPECTED);
    }

    @Test
    void aTruncatedResponseLosesOnlyItsLastItem() {
        var parsed = InstructionListParser.parse(CLEAN + "\n13. Explain how a refrigerator moves", true, false);
        assertThat(parsed.instructions()).isEqualTo(EXPECTED);
        assertThat(parsed.truncated()).isEqualTo("Explain how a refrigerator moves");
    }

    @Test
    void capitalizeIsPythonsAndOptional() {
        assertThat(InstructionListParser.parse(" tell me about NASA's budget", false, true)
                        .instructions())
                .containsExactly("Tell me about nasa's budget");
        assertThat(InstructionListParser.parse(" tell me about NASA's budget", false, false)
                        .instructions())
                .containsExactly("tell me about NASA's budget");
    }

    @Test
    void garbageGivesNothing() {
        assertThat(InstructionListParser.parse("", false, false).instructions()).isEmpty();
        assertThat(InstructionListParser.parse("Sure, here you go:\n\n", false, false)
                        .instructions())
                .isEmpty();
    }

    @Test
    void inputFirstInstances() {
        String response = "Example 1\nInput: 3 apples and 4 pears\nOutput: 7 pieces of fruit\n\n"
                + "Example 2\nInput: 10 plums\nOutput: 10 pieces of fruit\n\nTask: Something else";
        assertThat(InstanceParser.parse(response, false, false))
                .containsExactly(
                        new Example("3 apples and 4 pears", "7 pieces of fruit"),
                        new Example("10 plums", "10 pieces of fruit"));
    }

    @Test
    void inputFirstWithoutInputAndWithChatDecoration() {
        String response = "Here are the examples:\n\n**Example 1**\n**Output:** A haiku about rain.\n\n"
                + "### Example 2\nOutput: Another poem.\nInput: leaked next input";
        assertThat(InstanceParser.parse(response, false, false))
                .containsExactly(new Example("", "A haiku about rain."), new Example("", "Another poem."));
    }

    @Test
    void outputFirstInstancesAndTruncation() {
        String response = "Class label: positive\nSentence: I loved every minute.\n"
                + "Class label: negative\nSentence: A waste of two hours.\nClass label: neu";
        assertThat(InstanceParser.parse(response, true, true))
                .containsExactly(
                        new Example("Sentence: I loved every minute.", "positive"),
                        new Example("Sentence: A waste of two hours.", "negative"));
        assertThat(InstanceParser.parse(response, true, false)).hasSize(3);
    }

    @Test
    void classificationAnswers() {
        assertThat(ClassificationAnswer.isYes(" Yes")).isTrue();
        assertThat(ClassificationAnswer.isYes("yes.")).isTrue();
        assertThat(ClassificationAnswer.isYes("**Yes**, it has finite labels")).isTrue();
        assertThat(ClassificationAnswer.isYes("No")).isFalse();
        assertThat(ClassificationAnswer.isYes("Yesterday")).isFalse();
        assertThat(ClassificationAnswer.isYes("")).isFalse();
    }

    @Test
    void alpacaBlocksWithNumberingDriftAndNoInput() {
        String response = " Name a fruit that is yellow.\n4. Input:\n<noinput>\n4. Output:\nA banana.\n###\n"
                + "7. Instruction: Translate the word to French.\n7. Input:\ncat\n7. Output:\nchat\n###\n"
                + "**6. Instruction:** Give the plural.\n6. Input:\nmouse\n6. Output:\nmice\n"
                + "7. Instruction: Missing its output\n7. Input:\nx\n###\n8. Instruction: cut off";
        var parsed = AlpacaBlockParser.parse(response, true);
        assertThat(parsed.tasks())
                .containsExactly(
                        new AlpacaBlockParser.Task("Name a fruit that is yellow.", "", "A banana."),
                        new AlpacaBlockParser.Task("Translate the word to French.", "cat", "chat"),
                        new AlpacaBlockParser.Task("Give the plural.", "mouse", "mice"));
        assertThat(parsed.malformed()).isEqualTo(1);
        assertThat(parsed.truncated()).isTrue();
    }
}
