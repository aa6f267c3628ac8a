package io.selfinstruct.rouge;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits text into ROUGE tokens.
 *
 * <p>{@link #DEFAULT} is rouge_score's default tokenizer without stemming, character for character: Python's
 * {@code text.lower()}, every character outside {@code [a-z0-9]} becomes a space, split on whitespace. Of all
 * Unicode characters only the ASCII capitals, U+0130 (which lowers to {@code i} plus a combining dot, so it ends
 * the token after the {@code i}) and the Kelvin sign U+212A (lowers to {@code k}) lower into {@code [a-z0-9]}; the
 * scanner below encodes exactly that, which is what {@code toLowerCase(Locale.ROOT)} followed by the regex
 * replacement gives, without building the intermediate strings (a test checks every code point against that
 * definition).
 *
 * <p>{@link #CJK} tokenizes ASCII words the same way and makes every Han, Hiragana, Katakana or Hangul character a
 * token of its own: under the default tokenizer a Chinese instruction has no tokens at all, scores 0 against
 * everything, and exact duplicates would pass dedup.
 *
 * <p>Select by name with {@link #byName(String)}: {@code "default"} or {@code "cjk"}.
 */
public enum RougeTokenizer {
    DEFAULT(false),
    CJK(true);

    private static final int DOTTED_CAPITAL_I = 0x0130;
    private static final int KELVIN_SIGN = 0x212A;
    private static final int PROLONGED_SOUND_MARK = 0x30FC;

    private final boolean cjkCharacters;

    RougeTokenizer(boolean cjkCharacters) {
        this.cjkCharacters = cjkCharacters;
    }

    /** The configuration name: {@code "default"} or {@code "cjk"}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The tokenizer named {@code "default"} or {@code "cjk"} (any case); null or blank means default. */
    public static RougeTokenizer byName(String name) {
        if (name == null || name.isBlank()) {
            return DEFAULT;
        }
        for (RougeTokenizer tokenizer : values()) {
            if (tokenizer.configName().equalsIgnoreCase(name.strip())) {
                return tokenizer;
            }
        }
        throw new IllegalArgumentException("unknown ROUGE tokenizer '" + name + "': use 'default' or 'cjk'");
    }

    public List<String> tokenize(String text) {
        List<String> tokens = new ArrayList<>();
        StringBuilder word = new StringBuilder(16);
        int length = text.length();
        for (int i = 0; i < length; ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp < 128) {
                if (cp >= 'A' && cp <= 'Z') {
                    word.append((char) (cp + ('a' - 'A')));
                } else if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
                    word.append((char) cp);
                } else {
                    flush(word, tokens);
                }
            } else if (cp == KELVIN_SIGN) {
                word.append('k');
            } else if (cp == DOTTED_CAPITAL_I) {
                // lowers to "i" + U+0307; the combining dot is outside [a-z0-9] and splits
                word.append('i');
                flush(word, tokens);
            } else {
                flush(word, tokens);
                if (cjkCharacters && isCjk(cp)) {
                    tokens.add(new String(Character.toChars(cp)));
                }
            }
        }
        flush(word, tokens);
        return tokens;
    }

    static boolean isCjk(int cp) {
        if (cp == PROLONGED_SOUND_MARK) {
            return true;
        }
        Character.UnicodeScript script = Character.UnicodeScript.of(cp);
        return script == Character.UnicodeScript.HAN
                || script == Character.UnicodeScript.HIRAGANA
                || script == Character.UnicodeScript.KATAKANA
                || script == Character.UnicodeScript.HANGUL;
    }

    private static void flush(StringBuilder word, List<String> tokens) {
        if (!word.isEmpty()) {
            tokens.add(word.toString());
            word.setLength(0);
        }
    }
}
