package io.selfinstruct.export;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What {@code POST /api/import} did. Records are numbered by {@code index} (0-based, in file order); a JSONL
 * record also has its 1-based {@code line}.
 */
public record ImportReport(int imported, List<Skipped> skippedDuplicates, List<Invalid> invalid) {

    /** A record left out because its instruction's ROUGE-L F-measure against an earlier one is above the threshold. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Skipped(int index, Integer line, String reason, String similarTo, double score) {}

    /** A record that could not be imported, and why. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Invalid(Integer index, Integer line, String message) {

        String where() {
            return line != null ? "line " + line : "record " + index;
        }
    }
}
