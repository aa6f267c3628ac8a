package io.selfinstruct.llama.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The corners of transformers' sequence-bias and bad-words rules that the tiny-llama golden does not reach. */
class SequenceBiasProcessorTest {

    static float[] apply(SequenceBiasProcessor processor, long... context) {
        float[] scores = new float[8];
        processor.apply(scores, context);
        return scores;
    }

    @Test
    void aSequenceLongerThanTheContextIsSkippedEvenWhenItsPrefixEndsIt() {
        SequenceBiasProcessor p = SequenceBiasProcessor.of(List.of(new SequenceBias(new long[] {5, 7}, -1f)));
        assertEquals(0f, apply(p, 5)[7]);
        assertEquals(-1f, apply(p, 1, 5)[7]);
        assertEquals(0f, apply(p, 5, 1)[7]);
    }

    @Test
    void aRepeatedSequenceKeepsItsLastBiasAndBiasesEndingOnOneTokenAdd() {
        SequenceBiasProcessor p = SequenceBiasProcessor.of(List.of(
                new SequenceBias(new long[] {3}, -1f),
                new SequenceBias(new long[] {4, 3}, -0.5f),
                new SequenceBias(new long[] {3}, -2f)));
        assertEquals(-2f, apply(p, 1)[3]);
        assertEquals(-2.5f, apply(p, 1, 4)[3]);
    }

    @Test
    void aLoneEosIsNoBadWordButASequenceEndingInEosIs() {
        SequenceBiasProcessor p =
                SequenceBiasProcessor.badWords(List.of(new long[] {2}, new long[] {6, 2}), Set.of(2L));
        assertEquals(0f, apply(p, 1)[2]);
        assertEquals(Float.NEGATIVE_INFINITY, apply(p, 1, 6)[2]);
    }

    @Test
    void tokensOutsideTheVocabularyAreRejected() {
        SequenceBiasProcessor p = SequenceBiasProcessor.of(List.of(new SequenceBias(new long[] {9, 1}, -1f)));
        assertThrows(IllegalArgumentException.class, () -> apply(p, 1));
        assertThrows(IllegalArgumentException.class, () -> new SequenceBias(new long[] {}, 1f));
        assertThrows(IllegalArgumentException.class, () -> SequenceBias.suppression(new long[] {1}, 0));
    }

    @Test
    void theBiasComesBeforeTheRepetitionPenaltyAndTheBanAfterIt() {
        GenerationOptions options = GenerationOptions.builder(1)
                .repetitionPenalty(2)
                .sequenceBias(List.of(new SequenceBias(new long[] {1}, -2f)))
                .badWords(List.of(new long[] {1, 3}))
                .build();
        float[] logits = {0, 1, 0, 5};
        // token 1: (1 - 2) * 2 = -2 (penalty after the bias; the other order gives 0.5 - 2 = -1.5)
        assertArrayEquals(
                new float[] {0, -2, 0, Float.NEGATIVE_INFINITY},
                new Sampler(options).process(logits, new long[] {0, 1}));
    }
}
