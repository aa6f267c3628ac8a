package io.selfinstruct.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.selfinstruct.rouge.RougeL;
import io.selfinstruct.rouge.RougeTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ImportDedupTest {

    static final String[] WORDS = {
        "write", "a", "poem", "story", "about", "the", "sea", "sky", "cats", "list", "three", "facts", "explain", "why",
        "how", "dogs", "run", "fast", "in", "winter", "summer", "give", "tips", "for"
    };

    /** Brute force over every earlier instruction: the kept set and, for each skipped record, the nearest one. */
    @Test
    void keptSetAndNearestInstructionMatchBruteForceAcrossShards() {
        Random random = new Random(9);
        List<String> pool = new ArrayList<>();
        for (int i = 0; i < 4500; i++) {
            pool.add(sentence(random, 8 + random.nextInt(10)) + " " + i);
        }
        List<AlpacaReader.Entry> records = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            String text = i % 4 == 0
                    ? pool.get(random.nextInt(pool.size())).replaceAll(" \\d+$", "")
                    : sentence(random, 3 + random.nextInt(6));
            records.add(new AlpacaReader.Entry(i, null, new ExportRecord(text, "", "o")));
        }

        List<ImportReport.Skipped> skipped = new ArrayList<>();
        List<AlpacaReader.Entry> kept = new ImportDedup(RougeTokenizer.DEFAULT, 0.7, pool).keep(records, skipped);

        List<String> earlier = new ArrayList<>(pool);
        List<Integer> expectedKept = new ArrayList<>();
        int s = 0;
        for (AlpacaReader.Entry record : records) {
            String text = record.record().instruction();
            int best = -1;
            double bestScore = -1;
            for (int j = 0; j < earlier.size(); j++) {
                double f = RougeL.score(text, earlier.get(j), RougeTokenizer.DEFAULT)
                        .fmeasure();
                if (f > bestScore) {
                    best = j;
                    bestScore = f;
                }
            }
            if (bestScore > 0.7) {
                ImportReport.Skipped skip = skipped.get(s++);
                assertThat(skip.index()).isEqualTo(record.index());
                assertThat(skip.similarTo()).isEqualTo(earlier.get(best));
                assertThat(skip.score()).isEqualTo(bestScore);
                assertThat(skip.reason()).contains(best < pool.size() ? "pool" : "of this import");
            } else {
                expectedKept.add(record.index());
                earlier.add(text);
            }
        }
        assertThat(s).isEqualTo(skipped.size()).isGreaterThan(50);
        assertThat(kept).extracting(AlpacaReader.Entry::index).isEqualTo(expectedKept);
        assertThat(expectedKept.size()).isGreaterThan(50);
    }

    private static String sentence(Random random, int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            text.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
        }
        return text.toString();
    }
}
