package io.selfinstruct.evaluate;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A judge's verdict in MT-Bench's pairwise convention: the answer ends with {@code [[A]]}, {@code [[B]]} or
 * {@code [[C]]} (a tie). The last marker counts; an answer without one is an {@link #ERROR}, which counts as a tie.
 */
enum Verdict {
    A,
    B,
    TIE,
    ERROR;

    private static final Pattern MARKER = Pattern.compile("\\[\\[([ABC])]]");

    static Verdict parse(String judgement) {
        if (judgement == null) {
            return ERROR;
        }
        Matcher m = MARKER.matcher(judgement);
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        if (last == null) {
            return ERROR;
        }
        return switch (last) {
            case "A" -> A;
            case "B" -> B;
            default -> TIE;
        };
    }

    /** The verdict of the swapped order (B shown first) in terms of the models: its "A" is model B. */
    Verdict swapped() {
        return switch (this) {
            case A -> B;
            case B -> A;
            default -> this;
        };
    }

    /** Model A wins only when both orders say so, loses only when both say B, and ties otherwise. */
    static Outcome outcome(Verdict aFirst, Verdict bFirstMappedBack) {
        if (aFirst == A && bFirstMappedBack == A) {
            return Outcome.WIN;
        }
        if (aFirst == B && bFirstMappedBack == B) {
            return Outcome.LOSS;
        }
        return Outcome.TIE;
    }

    enum Outcome {
        WIN,
        TIE,
        LOSS
    }
}
