package io.selfinstruct.generate;

import io.selfinstruct.pool.RejectReason;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The reference generators' rules for a candidate instruction before the ROUGE-L check: length, blocklisted
 * words, "Write a program", leading punctuation, and the pool language. For Chinese pools length counts
 * characters and the language rule asks for Chinese text instead of an ASCII first character.
 */
public final class InstructionFilter {

    /** Self-instruct's keywords: tasks a text-only model cannot do. */
    public static final List<String> SELF_INSTRUCT_BLOCKLIST = List.of(
            "image",
            "images",
            "graph",
            "graphs",
            "picture",
            "pictures",
            "file",
            "files",
            "map",
            "maps",
            "draw",
            "plot",
            "go to");
    /** Alpaca adds these. */
    public static final List<String> ALPACA_EXTRA_BLOCKLIST =
            List.of("video", "audio", "music", "flowchart", "diagram");

    public static final List<String> CHINESE_BLOCKLIST =
            List.of("图片", "图像", "照片", "图表", "文件", "地图", "绘制", "画出", "视频", "音频", "音乐", "流程图");

    private static final Pattern CJK = Pattern.compile("[\\p{IsHan}\\p{IsHiragana}\\p{IsKatakana}\\p{IsHangul}]");
    private static final String ASCII_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    private final int minLength;
    private final int maxLength;
    private final boolean chinese;
    private final List<Pattern> blocklist;

    /**
     * @param minLength rejected when the length is at most this (words; characters for zh)
     * @param maxLength rejected when the length is above this
     */
    public InstructionFilter(String language, int minLength, int maxLength, List<String> blocklist) {
        this.chinese = "zh".equals(language);
        this.minLength = minLength;
        this.maxLength = maxLength;
        this.blocklist = blocklist.stream().map(InstructionFilter::wordPattern).toList();
    }

    public Optional<RejectReason> check(String instruction) {
        String text = instruction.strip();
        int length = chinese ? text.codePointCount(0, text.length()) : text.split("\\s+").length;
        if (text.isEmpty() || length <= minLength) {
            return Optional.of(RejectReason.TOO_SHORT);
        }
        if (length > maxLength) {
            return Optional.of(RejectReason.TOO_LONG);
        }
        if (blocklist.stream().anyMatch(p -> p.matcher(text).find())) {
            return Optional.of(RejectReason.BLOCKLISTED_WORD);
        }
        if (text.startsWith("Write a program")) {
            return Optional.of(RejectReason.WRITE_A_PROGRAM);
        }
        if (ASCII_PUNCTUATION.indexOf(text.charAt(0)) >= 0) {
            return Optional.of(RejectReason.STARTS_WITH_PUNCTUATION);
        }
        if (chinese ? !CJK.matcher(text).find() : text.charAt(0) > 127) {
            return Optional.of(chinese ? RejectReason.NOT_CHINESE : RejectReason.NOT_ENGLISH);
        }
        return Optional.empty();
    }

    /** Whole words, case-insensitive, as the reference's {@code \b word \b} search; CJK words match anywhere. */
    private static Pattern wordPattern(String word) {
        String quoted = Pattern.quote(word.toLowerCase(Locale.ROOT));
        return CJK.matcher(word).find() ? Pattern.compile(quoted) : Pattern.compile("(?iu)\\b" + quoted + "\\b");
    }
}
