package io.selfinstruct.rouge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GreedyDedupTest {

    /** The reference admission loop: each item against every kept one, DP table, no pruning (spread over cores). */
    static List<Integer> naiveKeep(List<String> texts, double threshold, RougeTokenizer tokenizer) {
        Map<String, Integer> ids = new HashMap<>();
        List<int[]> kept = new ArrayList<>();
        List<Integer> keptIndices = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            int[] tokens = RougeIndexTest.encode(tokenizer.tokenize(texts.get(i)), ids);
            boolean similar = kept.parallelStream()
                    .anyMatch(other -> RougeScore.of(Lcs.table(tokens, other), tokens.length, other.length)
                                    .fmeasure()
                            > threshold);
            if (!similar) {
                kept.add(tokens);
                keptIndices.add(i);
            }
        }
        return keptIndices;
    }

    /** Corpus instructions with near-copies (a word dropped, replaced or added) mixed in, so many pairs sit near 0.7. */
    static List<String> nearDuplicateCorpus(int size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> base = InstructionCorpus.generate(size, seed);
        List<String> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            if (i > 0 && random.nextInt(4) == 0) {
                List<String> words =
                        new ArrayList<>(Arrays.asList(out.get(random.nextInt(i)).split(" ")));
                int edits = 1 + random.nextInt(4);
                for (int e = 0; e < edits && !words.isEmpty(); e++) {
                    int at = random.nextInt(words.size());
                    switch (random.nextInt(3)) {
                        case 0 -> words.remove(at);
                        case 1 -> words.set(at, "new" + random.nextInt(50));
                        default -> words.add(at, "extra" + random.nextInt(50));
                    }
                }
                out.add(String.join(" ", words));
            } else {
                out.add(base.get(i));
            }
        }
        return out;
    }

    @Test
    void prunedParallelDedupKeepsExactlyWhatTheNaiveLoopKeepsOn5000Items() {
        List<String> texts = nearDuplicateCorpus(5_000, 17);
        List<Integer> expected = naiveKeep(texts, 0.7, RougeTokenizer.DEFAULT);
        assertThat(expected.size()).isBetween(500, 4_500); // the test means something only if both happen
        assertThat(GreedyDedup.keep(texts, 0.7, RougeTokenizer.DEFAULT)).isEqualTo(expected);
    }

    @Test
    void agreesWithTheNaiveLoopAtManyThresholdsOnSmallAlphabets() {
        SplittableRandom random = new SplittableRandom(4);
        for (double threshold : new double[] {0, 0.25, 0.5, 0.6, 0.7, 0.8, 0.95, 1}) {
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < 700; i++) {
                texts.add(RougeIndexTest.randomText(random, 1 + random.nextInt(25), 4 + random.nextInt(30)));
            }
            assertThat(GreedyDedup.keep(texts, threshold, RougeTokenizer.DEFAULT))
                    .as("threshold %s", threshold)
                    .isEqualTo(naiveKeep(texts, threshold, RougeTokenizer.DEFAULT));
        }
    }

    @Test
    void keepsTheFirstOfEachDuplicateAndUsesTheChosenTokenizer() {
        List<String> texts = List.of(
                "Write a poem about the sea.", "write a poem about the sea", "写一首诗", "写一首诗。", "List three colors.");
        // the default tokenizer sees no tokens in Chinese: the exact duplicate gets through, as in rouge_score
        assertThat(GreedyDedup.keep(texts, 0.7, RougeTokenizer.DEFAULT)).containsExactly(0, 2, 3, 4);
        assertThat(GreedyDedup.keep(texts, 0.7, RougeTokenizer.CJK)).containsExactly(0, 2, 4);
        assertThat(GreedyDedup.keep(List.of(), 0.7, RougeTokenizer.DEFAULT)).isEmpty();
    }
}
