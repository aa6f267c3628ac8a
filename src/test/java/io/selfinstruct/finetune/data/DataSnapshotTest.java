package io.selfinstruct.finetune.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSnapshotTest {

    private static final String RECORDS = """
            [{"instruction": "Add the numbers.", "input": "2, 3", "output": "5"},
             {"instruction": "Name a colour.", "input": "", "output": "Blue"},
             {"instruction": "翻译成英文。", "input": "你好", "output": "Hello"}]
            """;

    private final TrainingExamples examples = new TrainingExamples(null);

    @Test
    void theHashCoversEveryFieldAndTheirBoundaries() {
        String hash = DataSnapshot.sha256(List.of(new Example("ab", "c", "d")));
        assertThat(hash).hasSize(64).isEqualTo(DataSnapshot.sha256(List.of(new Example("ab", "c", "d"))));
        assertThat(DataSnapshot.sha256(List.of(new Example("a", "bc", "d")))).isNotEqualTo(hash);
        assertThat(DataSnapshot.sha256(List.of(new Example("ab", "c", "e")))).isNotEqualTo(hash);
        assertThat(DataSnapshot.sha256(List.of(new Example("ab", "c", "d"), new Example("", "", ""))))
                .isNotEqualTo(hash);
    }

    @Test
    void idsRoundTrip() {
        DataSnapshot snapshot =
                DataSnapshot.of(List.of(7L, 3L, 12345678901L), List.of(example(), example(), example()));
        assertThat(snapshot.encodedIds()).isEqualTo("7,3,12345678901");
        assertThat(DataSnapshot.decodeIds(snapshot.encodedIds())).containsExactly(7L, 3L, 12345678901L);
        assertThat(DataSnapshot.decodeIds("")).isEmpty();
    }

    @Test
    void aDataFileSnapshotRestoresTheSameRecordsAndRefusesChangedOnes(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("data.json"), RECORDS);
        DataSnapshot taken = examples.take(null, file);
        assertThat(taken.ids()).containsExactly(0L, 1L, 2L);
        assertThat(taken.examples().get(2)).isEqualTo(new Example("翻译成英文。", "你好", "Hello"));

        DataSnapshot restored = examples.restore(taken.ids(), taken.sha256(), file);
        assertThat(restored).isEqualTo(taken);

        Files.writeString(file, RECORDS.replace("Blue", "Red"));
        assertThatThrownBy(() -> examples.restore(taken.ids(), taken.sha256(), file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("changed since it started");

        Files.writeString(file, "[{\"instruction\": \"Add the numbers.\", \"input\": \"2, 3\", \"output\": \"5\"}]");
        assertThatThrownBy(() -> examples.restore(taken.ids(), taken.sha256(), file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("2 of the job's 3 snapshot examples are gone");
    }

    private static Example example() {
        return new Example("i", "", "o");
    }
}
