package io.selfinstruct.rouge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;

/** Expected doubles are what rouge_score computes (its formula evaluated in CPython), written out in full. */
class RougeLTest {

    private static void assertScore(RougeScore score, double precision, double recall, double fmeasure) {
        assertThat(score.precision()).as("precision").isEqualTo(precision);
        assertThat(score.recall()).as("recall").isEqualTo(recall);
        assertThat(score.fmeasure()).as("fmeasure").isEqualTo(fmeasure);
    }

    @Test
    void emptyOrTokenlessSidesScoreZero() {
        assertScore(RougeL.score("", ""), 0, 0, 0);
        assertScore(RougeL.score("hello world", ""), 0, 0, 0);
        assertScore(RougeL.score("", "hello world"), 0, 0, 0);
        assertScore(RougeL.score("?!... --- ***", "?!... --- ***"), 0, 0, 0);
        assertScore(RougeL.score("completely different", "nothing shared"), 0, 0, 0);
    }

    @Test
    void caseAndPunctuationDoNotMatter() {
        assertScore(RougeL.score("The cat sat on the mat.", "the CAT sat -- on the mat"), 1, 1, 1);
    }

    @Test
    void tabsAndNewlinesAreWhitespace() {
        assertScore(RougeL.score("a\tb\nc\r\nd", "a b c d"), 1, 1, 1);
    }

    @Test
    void numbers() {
        // target [i have 2 apples and 10 pears], prediction [i have 10 apples]: LCS 3 (i have apples)
        assertScore(
                RougeL.score("I have 2 apples and 10 pears", "i have 10 apples"),
                0.75,
                0.42857142857142855,
                0.5454545454545454);
    }

    @Test
    void apostrophesAndHyphensSplitWords() {
        // [don t stop well known] vs [dont stop well known]: LCS 3
        assertScore(RougeL.score("Don't stop, well-known", "dont stop well known"), 0.75, 0.6, 0.6666666666666665);
    }

    @Test
    void accentedLettersAreSeparators() {
        // [caf na ve r sum] vs [cafe naive resume]: nothing in common
        assertScore(RougeL.score("café naïve résumé", "cafe naive resume"), 0, 0, 0);
        // [caf au lait] vs [caf au lait]
        assertScore(RougeL.score("Café au lait", "caf au lait"), 1, 1, 1);
    }

    @Test
    void chineseIsInvisibleToTheDefaultTokenizerButNotToCjk() {
        assertScore(RougeL.score("今天天气很好", "今天天气很好"), 0, 0, 0);
        assertScore(RougeL.score("今天天气很好", "今天天气很好", RougeTokenizer.CJK), 1, 1, 1);
        // 6 characters each, LCS 5 (今天天气好)
        assertScore(
                RougeL.score("今天天气很好", "今天天气不好", RougeTokenizer.CJK),
                0.8333333333333334,
                0.8333333333333334,
                0.8333333333333334);
    }

    @Test
    void emojiAreSeparators() {
        assertScore(RougeL.score("I ❤️ NY 🎉🎉", "i ny"), 1, 1, 1);
    }

    @Test
    void prefixesAndRepeatedTokens() {
        assertScore(RougeL.score("a b c d e f", "a b c"), 1, 0.5, 0.6666666666666666);
        assertScore(RougeL.score("the the the the", "the"), 1, 0.25, 0.4);
    }

    @Test
    void precisionAndRecallSwapWithTheArgumentsAndFDoesNotChange() {
        RougeScore forward = RougeL.score("I have 2 apples and 10 pears", "i have 10 apples");
        RougeScore backward = RougeL.score("i have 10 apples", "I have 2 apples and 10 pears");
        assertThat(backward.precision()).isEqualTo(forward.recall());
        assertThat(backward.recall()).isEqualTo(forward.precision());
        assertThat(backward.fmeasure()).isEqualTo(forward.fmeasure());
    }

    @Test
    void pairsExactlyAtSevenTenthsFollowRougeScoresRounding() {
        // LCS 7 of 10 and 10: 2PR/(P+R) gives exactly 0.7, so a 0.7 threshold keeps it
        assertScore(RougeL.score("a b c d e f g h i j", "a b c d e f g x y z"), 0.7, 0.7, 0.7);
        assertScore(RougeL.score(words(20, 0), words(14, 0) + " " + words(6, 100)), 0.7, 0.7, 0.7);
        // LCS 7 of 8 and 12: mathematically 0.7 too, but rouge_score computes 0.7000000000000001 and rejects it
        RougeScore above = RougeL.score("a b c d e f g h", "a b c d e f g p q r s t");
        assertScore(above, 0.5833333333333334, 0.875, 0.7000000000000001);
        assertThat(above.fmeasure()).isGreaterThan(0.7);
        assertThat(2.0 * 7 / (8 + 12)).isEqualTo(0.7); // the shortcut formula would have kept it
        assertScore(
                RougeL.score("a b c d e f g p q r s t", "a b c d e f g h"),
                0.875,
                0.5833333333333334,
                0.7000000000000001);
    }

    @Test
    void identicalLongTexts() {
        String text = words(700, 0);
        assertScore(RougeL.score(text, text), 1, 1, 1);
    }

    @Test
    void textsOver64And500TokensUseTheMultiWordLcs() {
        // target: 600 distinct words; prediction: every second target word with a foreign word after it (450 words)
        List<String> target = new ArrayList<>();
        StringJoiner prediction = new StringJoiner(" ");
        for (int i = 0; i < 600; i++) {
            target.add("w" + i);
        }
        for (int i = 0; i < 600; i += 2) {
            prediction.add("w" + i);
            if (i % 4 == 0) {
                prediction.add("x" + i);
            }
        }
        // LCS 300 of target 600 and prediction 450
        assertScore(
                RougeL.score(String.join(" ", target), prediction.toString()),
                0.6666666666666666,
                0.5,
                0.5714285714285715);
        // 130 tokens against its first 65: the shorter side, the pattern, needs two machine words
        assertScore(RougeL.score(words(130, 0), words(65, 0)), 1, 0.5, 0.6666666666666666);
    }

    private static String words(int count, int from) {
        StringJoiner out = new StringJoiner(" ");
        for (int i = 0; i < count; i++) {
            out.add("w" + (from + i));
        }
        return out.toString();
    }
}
