package io.selfinstruct.rouge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class RougeIndexTest {

    /** The reference loop: every pair through the DP table and rouge_score's formula, candidate as target. */
    static double[] bruteForce(List<String> pool, String candidate, RougeTokenizer tokenizer) {
        Map<String, Integer> ids = new HashMap<>();
        int[] query = encode(tokenizer.tokenize(candidate), ids);
        double[] scores = new double[pool.size()];
        for (int i = 0; i < pool.size(); i++) {
            int[] item = encode(tokenizer.tokenize(pool.get(i)), ids);
            scores[i] = RougeScore.of(Lcs.table(query, item), query.length, item.length)
                    .fmeasure();
        }
        return scores;
    }

    static int[] encode(List<String> tokens, Map<String, Integer> ids) {
        return tokens.stream()
                .mapToInt(t -> ids.computeIfAbsent(t, k -> ids.size()))
                .toArray();
    }

    static String randomText(SplittableRandom random, int maxWords, int vocabulary) {
        StringBuilder text = new StringBuilder();
        int words = random.nextInt(maxWords + 1);
        for (int i = 0; i < words; i++) {
            text.append(i == 0 ? "" : " ").append('w').append(random.nextInt(vocabulary));
        }
        return text.toString();
    }

    @Test
    void anyAboveAgreesWithTheUnprunedLoop() {
        SplittableRandom random = new SplittableRandom(21);
        double[] thresholds = {0, 0.3, 0.5, 0.6666666666666666, 0.7, 0.75, 0.9, 1};
        for (int round = 0; round < 30; round++) {
            int vocabulary = 3 + random.nextInt(40);
            RougeIndex index = new RougeIndex(RougeTokenizer.DEFAULT);
            List<String> pool = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                String text = randomText(random, 1 + random.nextInt(40), vocabulary);
                pool.add(text);
                index.add(text);
            }
            for (int q = 0; q < 60; q++) {
                String candidate = randomText(random, 1 + random.nextInt(40), vocabulary + 3);
                double[] scores = bruteForce(pool, candidate, RougeTokenizer.DEFAULT);
                for (double threshold : thresholds) {
                    boolean expected = false;
                    for (double score : scores) {
                        expected |= score > threshold;
                    }
                    assertThat(index.anyAbove(candidate, threshold))
                            .as("'%s' at %s", candidate, threshold)
                            .isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void pairsAtExactlySevenTenthsAreDecidedAsRougeScoreDecides() {
        RougeIndex keeps = new RougeIndex(RougeTokenizer.DEFAULT);
        keeps.add("a b c d e f g h i j");
        assertThat(keeps.anyAbove("a b c d e f g x y z", 0.7)).isFalse(); // F == 0.7
        assertThat(keeps.anyAbove("a b c d e f g x y z", 0.6999999999999999)).isTrue();

        RougeIndex rejects = new RougeIndex(RougeTokenizer.DEFAULT);
        rejects.add("a b c d e f g h");
        assertThat(rejects.anyAbove("a b c d e f g p q r s t", 0.7)).isTrue(); // F == 0.7000000000000001
        rejects.add("x");
        assertThat(rejects.similarity("a b c d e f g p q r s t", 10).max()).isEqualTo(0.7000000000000001);
    }

    @Test
    void similarityIsExact() {
        SplittableRandom random = new SplittableRandom(8);
        List<String> pool = new ArrayList<>();
        RougeIndex index = new RougeIndex(RougeTokenizer.DEFAULT);
        for (int i = 0; i < 700; i++) {
            String text = randomText(random, 30, 25);
            pool.add(text);
            index.add(text);
        }
        for (int q = 0; q < 20; q++) {
            String candidate = randomText(random, 30, 30);
            double[] scores = bruteForce(pool, candidate, RougeTokenizer.DEFAULT);
            Similarity similarity = index.similarity(candidate, 10);
            double max = 0;
            for (double score : scores) {
                max = Math.max(max, score);
            }
            assertThat(similarity.max()).isEqualTo(max);
            assertThat(similarity.mean()).isEqualTo(PairwiseSum.mean(scores));
            assertThat(similarity.mostSimilar()).hasSize(10);
            double previous = Double.POSITIVE_INFINITY;
            int previousId = -1;
            for (Similarity.Neighbor neighbor : similarity.mostSimilar()) {
                assertThat(neighbor.fmeasure()).isEqualTo(scores[neighbor.id()]).isLessThanOrEqualTo(previous);
                assertThat(neighbor.text()).isEqualTo(pool.get(neighbor.id()));
                if (neighbor.fmeasure() == previous) {
                    assertThat(neighbor.id()).isGreaterThan(previousId);
                }
                previous = neighbor.fmeasure();
                previousId = neighbor.id();
            }
            double tenth = previous;
            long better = java.util.Arrays.stream(scores).filter(s -> s > tenth).count();
            assertThat(better).isLessThan(10);
        }
    }

    @Test
    void topKOnASmallPoolListsEveryItemAndTiesByLowerId() {
        RougeIndex index = new RougeIndex(RougeTokenizer.DEFAULT);
        index.add("unrelated words");
        index.add("write a poem");
        index.add("write a poem");
        index.add("");
        Similarity similarity = index.similarity("Write a poem!", 10);
        assertThat(similarity.mostSimilar()).extracting(Similarity.Neighbor::id).containsExactly(1, 2, 0, 3);
        assertThat(similarity.max()).isEqualTo(1.0);
        assertThat(similarity.mean()).isEqualTo(0.5);
    }

    @Test
    void meanIsNumpysPairwiseMean() {
        double[] values = new double[1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = 0.1 * i % 0.7;
        }
        // float(np.mean([0.1 * i % 0.7 for i in range(1000)])) with numpy 2.4; a left-to-right sum gives ...053
        assertThat(PairwiseSum.mean(values)).isEqualTo(0.2997000000000059);
    }

    @Test
    void cjkPoolCatchesChineseDuplicates() {
        RougeIndex index = new RougeIndex(RougeTokenizer.CJK);
        index.add("写一首关于秋天的诗。");
        assertThat(index.anyAbove("写一首关于秋天的诗", 0.7)).isTrue();
        assertThat(index.anyAbove("解释光合作用的过程", 0.7)).isFalse();
        RougeIndex ascii = new RougeIndex(RougeTokenizer.DEFAULT);
        ascii.add("写一首关于秋天的诗。");
        assertThat(ascii.anyAbove("写一首关于秋天的诗", 0.7)).isFalse();
    }

    @Test
    void emptyCandidatesAndPools() {
        RougeIndex index = new RougeIndex(RougeTokenizer.DEFAULT);
        assertThat(index.anyAbove("anything", 0)).isFalse();
        assertThat(index.similarity("anything", 10).mostSimilar()).isEmpty();
        index.add("something");
        assertThat(index.anyAbove("", 0)).isFalse();
        assertThat(index.anyAbove("!!!", 0.7)).isFalse();
        assertThat(index.size()).isEqualTo(1);
        assertThat(index.text(0)).isEqualTo("something");
    }

    @Test
    void thresholdOutsideZeroToOneIsRejected() {
        RougeIndex index = new RougeIndex(RougeTokenizer.DEFAULT);
        assertThatThrownBy(() -> index.anyAbove("x", 1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> index.anyAbove("x", Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void queriesRunWhileOneThreadAdds() throws Exception {
        List<String> texts = InstructionCorpus.generate(3_000, 5);
        RougeIndex index = new RougeIndex(RougeTokenizer.DEFAULT);
        index.add(texts.get(0));
        AtomicBoolean adding = new AtomicBoolean(true);
        ExecutorService readers = Executors.newFixedThreadPool(3);
        List<Future<Integer>> checks = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            int seed = r;
            checks.add(readers.submit(() -> {
                SplittableRandom random = new SplittableRandom(seed);
                int checked = 0;
                while (adding.get()) {
                    int id = random.nextInt(index.size());
                    // an item already in the pool is its own duplicate
                    assertThat(index.anyAbove(index.text(id), 0.99)).isTrue();
                    checked++;
                }
                return checked;
            }));
        }
        for (int i = 1; i < texts.size(); i++) {
            index.add(texts.get(i));
        }
        adding.set(false);
        for (Future<Integer> check : checks) {
            assertThat(check.get(30, TimeUnit.SECONDS)).isPositive();
        }
        readers.shutdown();
        assertThat(index.size()).isEqualTo(texts.size());
    }
}
