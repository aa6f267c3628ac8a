package io.selfinstruct.rouge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RougeTokenizerTest {

    /** rouge_score's tokenize() without stemmer, written the way it is in Python. */
    static List<String> rougeScoreTokenize(String text) {
        String replaced = NON_ALPHANUM.matcher(text.toLowerCase(Locale.ROOT)).replaceAll(" ");
        return Arrays.stream(SPACES.split(replaced))
                .filter(t -> VALID_TOKEN.matcher(t).matches())
                .toList();
    }

    private static final Pattern NON_ALPHANUM = Pattern.compile("[^a-z0-9]+");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    private static final Pattern VALID_TOKEN = Pattern.compile("^[a-z0-9]+$");

    @Test
    void lowercasesAndSplitsOnEverythingOutsideAsciiLettersAndDigits() {
        assertThat(RougeTokenizer.DEFAULT.tokenize("Don't stop: well-known 3D-printing, CO2 & H2O!"))
                .containsExactly("don", "t", "stop", "well", "known", "3d", "printing", "co2", "h2o");
        assertThat(RougeTokenizer.DEFAULT.tokenize("a\tb\nc\r\nd  e")).containsExactly("a", "b", "c", "d", "e");
        assertThat(RougeTokenizer.DEFAULT.tokenize("")).isEmpty();
        assertThat(RougeTokenizer.DEFAULT.tokenize("?!... --- ***")).isEmpty();
    }

    @Test
    void accentedLettersSplitWordsAsInRougeScore() {
        assertThat(RougeTokenizer.DEFAULT.tokenize("Café naïve RÉSUMÉ")).containsExactly("caf", "na", "ve", "r", "sum");
    }

    @Test
    void onlyDottedCapitalIAndKelvinSignLowerIntoAscii() {
        // Python: "İx".lower() == "i\u0307x" -> tokens "i", "x"; "\u212A" (Kelvin) lowers to "k"
        assertThat(RougeTokenizer.DEFAULT.tokenize("İstanbul")).containsExactly("i", "stanbul");
        assertThat(RougeTokenizer.DEFAULT.tokenize("5\u212Am")).containsExactly("5km");
        assertThat(RougeTokenizer.DEFAULT.tokenize("ＡＢＣ ｘｙｚ")).isEmpty(); // full-width letters stay non-ASCII
    }

    @Test
    void turkishDefaultLocaleChangesNothing() {
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.forLanguageTag("tr-TR"));
            assertThat(RougeTokenizer.DEFAULT.tokenize("TITLE INDEX")).containsExactly("title", "index");
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void everyCodePointTokenizesAsRougeScoreDoes() {
        // each code point between two letters, 4096 of them per text, one text per block
        for (int block = 0; block <= Character.MAX_CODE_POINT; block += 4096) {
            StringBuilder text = new StringBuilder();
            for (int cp = block; cp < block + 4096 && cp <= Character.MAX_CODE_POINT; cp++) {
                if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
                    continue;
                }
                text.append(" a").appendCodePoint(cp).append("b ");
            }
            assertThat(RougeTokenizer.DEFAULT.tokenize(text.toString()))
                    .as("block U+%04X", block)
                    .isEqualTo(rougeScoreTokenize(text.toString()));
        }
    }

    @Test
    void randomMixedTextTokenizesAsRougeScoreDoes() {
        String alphabet = "aZ9 _-'\t\n.İ\u212Aé中文😀ßΣςǅ";
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 5_000; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(40);
            for (int j = 0; j < length; j++) {
                text.appendCodePoint(alphabet.codePointAt(
                        alphabet.offsetByCodePoints(0, random.nextInt(alphabet.codePointCount(0, alphabet.length())))));
            }
            assertThat(RougeTokenizer.DEFAULT.tokenize(text.toString()))
                    .as(text.toString())
                    .isEqualTo(rougeScoreTokenize(text.toString()));
        }
    }

    @Test
    void defaultTokenizerSeesNothingInChineseButTheCjkTokenizerSeesEveryCharacter() {
        assertThat(RougeTokenizer.DEFAULT.tokenize("今天天气很好")).isEmpty();
        assertThat(RougeTokenizer.CJK.tokenize("今天天气很好")).containsExactly("今", "天", "天", "气", "很", "好");
        assertThat(RougeTokenizer.CJK.tokenize("用Python写GPT-4模型，ひらがなカタカナー한국어。"))
                .containsExactly(
                        "用", "python", "写", "gpt", "4", "模", "型", "ひ", "ら", "が", "な", "カ", "タ", "カ", "ナ", "ー", "한", "국",
                        "어");
        assertThat(RougeTokenizer.CJK.tokenize("Hello, World 😀")).containsExactly("hello", "world");
    }

    @Test
    void selectableByName() {
        assertThat(RougeTokenizer.byName("default")).isEqualTo(RougeTokenizer.DEFAULT);
        assertThat(RougeTokenizer.byName("CJK")).isEqualTo(RougeTokenizer.CJK);
        assertThat(RougeTokenizer.byName(null)).isEqualTo(RougeTokenizer.DEFAULT);
        assertThat(RougeTokenizer.CJK.configName()).isEqualTo("cjk");
        assertThatThrownBy(() -> RougeTokenizer.byName("porter")).hasMessageContaining("'default' or 'cjk'");
    }
}
