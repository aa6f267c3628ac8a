package io.selfinstruct.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfinstruct.generate.InstanceParser.Example;
import io.selfinstruct.pool.RejectReason;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FiltersTest {

    final InstructionFilter english = new InstructionFilter("en", 3, 150, InstructionFilter.SELF_INSTRUCT_BLOCKLIST);
    final InstructionFilter chinese = new InstructionFilter("zh", 5, 300, InstructionFilter.CHINESE_BLOCKLIST);

    @Test
    void instructionRulesFollowTheReference() {
        assertThat(english.check("Name three rivers in Africa.")).isEmpty();
        assertThat(english.check("Name three rivers")).contains(RejectReason.TOO_SHORT);
        assertThat(english.check("word ".repeat(151))).contains(RejectReason.TOO_LONG);
        assertThat(english.check("word ".repeat(150))).isEmpty();
        assertThat(english.check("Describe the Image in detail please.")).contains(RejectReason.BLOCKLISTED_WORD);
        assertThat(english.check("Explain how to go to the station.")).contains(RejectReason.BLOCKLISTED_WORD);
        assertThat(english.check("Summarize the paragraph about mapping software."))
                .isEmpty();
        assertThat(english.check("Write a program that sorts numbers.")).contains(RejectReason.WRITE_A_PROGRAM);
        assertThat(english.check("\"Quote\" the famous line from the play."))
                .contains(RejectReason.STARTS_WITH_PUNCTUATION);
        assertThat(english.check("Écris une phrase sur la mer.")).contains(RejectReason.NOT_ENGLISH);
        // without spaces a Chinese sentence is one "word" to the reference's length rule
        assertThat(english.check("把这句话翻译成英文，谢谢你。")).contains(RejectReason.TOO_SHORT);
        assertThat(english.check("请 把 这句话 翻译 成 英文")).contains(RejectReason.NOT_ENGLISH);
    }

    @Test
    void chineseRulesCountCharacters() {
        assertThat(chinese.check("把这句话翻译成英文。")).isEmpty();
        assertThat(chinese.check("翻译")).contains(RejectReason.TOO_SHORT);
        assertThat(chinese.check("请描述这张图片里的内容。")).contains(RejectReason.BLOCKLISTED_WORD);
        assertThat(chinese.check("Translate this sentence into French.")).contains(RejectReason.NOT_CHINESE);
    }

    @Test
    void instanceRules() {
        var result = InstanceFilter.apply(
                List.of(
                        new Example("a", "b"),
                        new Example("a", "b"),
                        new Example("x", "x"),
                        new Example("q", ""),
                        new Example("Input:", "y"),
                        new Example("", "ok")),
                5,
                new Random(1));
        assertThat(result.taskRejection()).isNull();
        assertThat(result.kept()).containsExactly(new Example("a", "b"), new Example("", "ok"));
        assertThat(result.dropped())
                .extracting(InstanceFilter.Dropped::reason)
                .containsExactlyInAnyOrder(
                        RejectReason.INPUT_EQUALS_OUTPUT,
                        RejectReason.EMPTY_OUTPUT,
                        RejectReason.ENDS_WITH_COLON,
                        RejectReason.DUPLICATE_INSTANCE);
    }

    @Test
    void conflictingInstancesRejectTheTask() {
        var result = InstanceFilter.apply(List.of(new Example("2+2", "4"), new Example("2+2", "5")), 5, new Random(1));
        assertThat(result.taskRejection()).isEqualTo(RejectReason.CONFLICTING_INSTANCES);
        assertThat(result.kept()).isEmpty();
    }

    @Test
    void noValidInstancesRejectTheTaskAndAtMostFiveAreKept() {
        assertThat(InstanceFilter.apply(List.of(new Example("x", "x")), 5, new Random(1))
                        .taskRejection())
                .isEqualTo(RejectReason.NO_VALID_INSTANCES);
        var many = InstanceFilter.apply(
                List.of(
                        new Example("1", "a"),
                        new Example("2", "b"),
                        new Example("3", "c"),
                        new Example("4", "d"),
                        new Example("5", "e"),
                        new Example("6", "f"),
                        new Example("7", "g")),
                5,
                new Random(7));
        assertThat(many.kept()).hasSize(5).doesNotHaveDuplicates();
    }
}
