package io.selfinstruct.evaluate;

/**
 * One instruction of an evaluation with what is known of it so far. {@code verdictAFirst} is the judge's verdict
 * with A shown first; {@code verdictBFirst} the one with B shown first, already mapped back to the models (its
 * {@code A} means model A). {@code outcome} is set once both verdicts are in.
 */
public record EvaluationItem(
        long id,
        int position,
        String source,
        String instruction,
        String input,
        String language,
        Boolean classification,
        String answerA,
        String answerB,
        String verdictAFirst,
        String reasonAFirst,
        String verdictBFirst,
        String reasonBFirst,
        String outcome) {}
