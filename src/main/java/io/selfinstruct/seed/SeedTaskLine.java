package io.selfinstruct.seed;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One task as a line of a seed file: the self-instruct format
 * {@code {"id","name","instruction","instances":[{"input","output"}],"is_classification"}}.
 */
public record SeedTaskLine(
        String id,
        String name,
        String instruction,
        List<Example> instances,
        @JsonProperty("is_classification") boolean isClassification) {

    public record Example(String input, String output) {}
}
