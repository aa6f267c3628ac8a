package io.selfinstruct.pool;

import io.selfinstruct.problem.InvalidRequestException;
import io.selfinstruct.rouge.RougeTokenizer;
import io.selfinstruct.seed.SeedSets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The languages a pool can hold, each with the ROUGE-L tokenizer its dedup uses and the seed set it starts from
 * by default: the one place that maps a language code to them.
 */
public enum PoolLanguage {
    EN("en", RougeTokenizer.DEFAULT, SeedSets.DEFAULT_SET),
    /** Chinese: rouge_score's tokenizer drops CJK text, so every CJK character is a token. */
    ZH("zh", RougeTokenizer.CJK, "zh");

    /** The codes, as requests give them. */
    public static final List<String> CODES =
            Arrays.stream(values()).map(PoolLanguage::code).toList();

    private final String code;
    private final RougeTokenizer tokenizer;
    private final String defaultSeedSet;

    PoolLanguage(String code, RougeTokenizer tokenizer, String defaultSeedSet) {
        this.code = code;
        this.tokenizer = tokenizer;
        this.defaultSeedSet = defaultSeedSet;
    }

    public String code() {
        return code;
    }

    public RougeTokenizer tokenizer() {
        return tokenizer;
    }

    public String defaultSeedSet() {
        return defaultSeedSet;
    }

    /** The language of a code (any case); a 400 naming the codes otherwise. */
    public static PoolLanguage of(String code) {
        for (PoolLanguage language : values()) {
            if (language.code.equals(code == null ? null : code.strip().toLowerCase(Locale.ROOT))) {
                return language;
            }
        }
        throw new InvalidRequestException("language must be " + String.join(" or ", CODES) + ", not '" + code + "'");
    }
}
