package io.selfinstruct.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class VerdictTest {

    @Test
    void theLastMarkerCountsAndNoMarkerIsAnError() {
        assertThat(Verdict.parse("[[A]] at first, but on reflection [[B]]")).isEqualTo(Verdict.B);
        assertThat(Verdict.parse("Equal. [[C]]")).isEqualTo(Verdict.TIE);
        assertThat(Verdict.parse("I prefer A.")).isEqualTo(Verdict.ERROR);
        assertThat(Verdict.parse("[A] or [[D]]")).isEqualTo(Verdict.ERROR);
        assertThat(Verdict.parse(null)).isEqualTo(Verdict.ERROR);
    }

    @Test
    void aWinNeedsBothOrdersAndEverythingElseIsATie() {
        assertThat(Verdict.outcome(Verdict.A, Verdict.B.swapped())).isEqualTo(Verdict.Outcome.WIN);
        assertThat(Verdict.outcome(Verdict.B, Verdict.A.swapped())).isEqualTo(Verdict.Outcome.LOSS);
        // position bias: "[[A]]" in both orders means A once and B once
        assertThat(Verdict.outcome(Verdict.A, Verdict.A.swapped())).isEqualTo(Verdict.Outcome.TIE);
        assertThat(Verdict.outcome(Verdict.A, Verdict.TIE)).isEqualTo(Verdict.Outcome.TIE);
        assertThat(Verdict.outcome(Verdict.A, Verdict.ERROR)).isEqualTo(Verdict.Outcome.TIE);
    }

    @Test
    void theWilsonIntervalMatchesItsFormula() {
        Summary s = Summary.of(7, 2, 1);
        assertThat(s.winRate()).isEqualTo(0.8);
        // p = 0.8, n = 10, z = 1.96: [0.4902, 0.9433]
        assertThat(s.winRateCi95().get(0)).isCloseTo(0.4902, org.assertj.core.data.Offset.offset(1e-3));
        assertThat(s.winRateCi95().get(1)).isCloseTo(0.9433, org.assertj.core.data.Offset.offset(1e-3));
        assertThat(Summary.of(0, 0, 0).winRate()).isNull();
    }

    @Test
    void judgePromptsTakeAnswersLiterally() {
        String filled = JudgePrompts.fill(
                "Q: {instruction} A: {answer_a} B: {answer_b}",
                Map.of("instruction", "Say {answer_b} $1 \\", "answer_a", "{instruction}", "answer_b", "b"));
        assertThat(filled).isEqualTo("Q: Say {answer_b} $1 \\ A: {instruction} B: b");
        assertThat(JudgePrompts.languageOf("写一首诗")).isEqualTo("zh");
        assertThat(JudgePrompts.languageOf("Write a poem")).isEqualTo("en");
    }
}
