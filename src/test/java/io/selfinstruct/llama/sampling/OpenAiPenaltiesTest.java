package io.selfinstruct.llama.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * OpenAI's presence and frequency penalties as OpenAI and vLLM apply them: {@code logit -= count *
 * frequency_penalty + (count > 0) * presence_penalty}, counting the generated tokens only, never the prompt.
 */
class OpenAiPenaltiesTest {

    @Test
    void generatedTokensArePenalisedByPresenceOnceAndByFrequencyPerUse() {
        Sampler sampler = new Sampler(GenerationOptions.builder(8)
                .presencePenalty(0.5)
                .frequencyPenalty(0.25)
                .build());
        long[] prompt = {1, 1, 1};
        float[] logits = {0f, 3f, 2f, 1f};

        // nothing generated yet: the prompt's token 1 is not penalised
        float[] first = sampler.process(logits, prompt);
        assertThat(first).containsExactly(0f, 3f, 2f, 1f);
        assertThat(sampler.choose(first)).isEqualTo(1);

        float[] second = sampler.process(logits, new long[] {1, 1, 1, 1});
        assertThat(second).containsExactly(0f, 3f - 0.75f, 2f, 1f);
        assertThat(sampler.choose(second)).isEqualTo(1);

        float[] third = sampler.process(logits, new long[] {1, 1, 1, 1, 1});
        assertThat(third).containsExactly(0f, 3f - 1f, 2f, 1f);
    }

    @Test
    void aStrongPresencePenaltyMakesGreedyDecodingAvoidRepeats() {
        Sampler sampler =
                new Sampler(GenerationOptions.builder(8).presencePenalty(2).build());
        float[] logits = {0f, 3f, 2.5f, 2f};
        long[] chosen = new long[3];
        for (int step = 0; step < 3; step++) {
            chosen[step] = sampler.choose(sampler.process(logits, new long[0]));
        }
        assertThat(chosen).containsExactly(1, 2, 3);
    }

    @Test
    void withoutPenaltiesTheScoresAreUnchanged() {
        Sampler sampler = new Sampler(GenerationOptions.builder(8).build());
        float[] logits = {0f, 3f, 2f};
        sampler.choose(sampler.process(logits, new long[0]));
        assertThat(sampler.process(logits, new long[] {1})).containsExactly(0f, 3f, 2f);
    }
}
