package io.selfinstruct.rouge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LcsTest {

    @Test
    void handCheckedLengths() {
        assertThat(Lcs.table(new int[] {1, 2, 3, 4}, new int[] {2, 4, 3})).isEqualTo(2);
        assertThat(Lcs.bitParallel(new int[] {1, 2, 3, 4}, new int[] {2, 4, 3})).isEqualTo(2);
        assertThat(Lcs.bitParallel(new int[] {}, new int[] {1})).isZero();
        assertThat(Lcs.bitParallel(new int[] {5, 5, 5}, new int[] {5})).isEqualTo(1);
        assertThat(Lcs.bitParallel(new int[] {1, 2, 3}, new int[] {1, 2, 3})).isEqualTo(3);
        // ids too large for a direct-indexed mask array take the hashed pattern
        assertThat(Lcs.bitParallel(new int[] {3_000_000, 5, 7}, new int[] {5, 3_000_000, 7}))
                .isEqualTo(2);
        assertThat(Lcs.bitParallel(new int[] {5, 3_000_000, 7}, new int[] {5, 3_000_000, 7}))
                .isEqualTo(3);
        // the failed direct load above must leave no mask behind for token 5
        assertThat(Lcs.bitParallel(new int[] {9}, new int[] {5, 8})).isZero();
    }

    @Test
    void bitParallelEqualsTheDpTableOnRandomSequences() {
        SplittableRandom random = new SplittableRandom(11);
        int[] alphabets = {1, 2, 4, 26, 1000, 100_000};
        for (int trial = 0; trial < 3_000; trial++) {
            int alphabet = alphabets[trial % alphabets.length];
            int[] a = randomTokens(random, random.nextInt(301), alphabet);
            int[] b = randomTokens(random, random.nextInt(301), alphabet);
            int expected = Lcs.table(a, b);
            assertThat(Lcs.bitParallel(a, b))
                    .as("alphabet %d, lengths %d/%d", alphabet, a.length, b.length)
                    .isEqualTo(expected);
            assertThat(LcsPattern.of(a).lcs(b)).isEqualTo(expected);
            assertThat(LcsPattern.of(b).lcs(a)).isEqualTo(expected);
        }
    }

    @Test
    void wordBoundariesOfTheMultiWordVersion() {
        SplittableRandom random = new SplittableRandom(5);
        for (int length : new int[] {63, 64, 65, 127, 128, 129, 191, 192, 193, 520}) {
            for (int trial = 0; trial < 40; trial++) {
                int[] a = randomTokens(random, length, 1 + random.nextInt(6));
                int[] b = randomTokens(random, random.nextInt(2 * length), 1 + random.nextInt(6));
                assertThat(LcsPattern.of(a).lcs(b))
                        .as("pattern length %d", length)
                        .isEqualTo(Lcs.table(a, b));
            }
            int[] same = randomTokens(random, length, 3);
            assertThat(LcsPattern.of(same).lcs(same)).isEqualTo(length);
        }
    }

    @Test
    void unknownTokensInThePatternMatchNothingButCount() {
        LcsPattern pattern = LcsPattern.of(new int[] {-1, 3, -1, 4});
        assertThat(pattern.length()).isEqualTo(4);
        assertThat(pattern.lcs(new int[] {3, 4, 0})).isEqualTo(2);
        assertThat(pattern.lcs(new int[] {0, 1, 2})).isZero();
    }

    @Test
    void directIndexedMasksEqualTheDpTableAndSurviveNestedUse() {
        SplittableRandom random = new SplittableRandom(12);
        for (int trial = 0; trial < 2_000; trial++) {
            int alphabet = 1 + random.nextInt(trial % 2 == 0 ? 5 : 500);
            int[] query = randomTokens(random, random.nextInt(65), alphabet);
            int[] other = randomTokens(random, random.nextInt(65), alphabet);
            int[] text = randomTokens(random, random.nextInt(200), alphabet);
            try (TokenMasks outer = TokenMasks.load(query)) {
                try (TokenMasks inner = TokenMasks.load(other)) {
                    assertThat(inner.lcs(text)).isEqualTo(Lcs.table(other, text));
                }
                assertThat(outer.lcs(text)).isEqualTo(Lcs.table(query, text));
            }
            int[] longQuery = randomTokens(random, 65 + random.nextInt(100), alphabet);
            try (CandidateLcs candidate = new CandidateLcs(longQuery)) {
                assertThat(candidate.lcs(text)).isEqualTo(Lcs.table(longQuery, text));
            }
        }
    }

    static int[] randomTokens(SplittableRandom random, int length, int alphabet) {
        int[] tokens = new int[length];
        for (int i = 0; i < length; i++) {
            tokens[i] = random.nextInt(alphabet);
        }
        return tokens;
    }
}
