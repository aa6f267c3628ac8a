package io.selfinstruct.generate;

import io.selfinstruct.generate.InstanceParser.Example;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Steps 2 and 3 answered as JSON objects (structured outputs): read as JSON, not by the text parsers. An answer that
 * is not a JSON object of the schema is empty, so the caller can count it and read the text the old way instead.
 */
final class StructuredAnswers {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private StructuredAnswers() {}

    /** {@code {"is_classification": true|false}}. */
    static Optional<Boolean> classification(String answer) {
        return object(answer)
                .map(o -> o.get("is_classification"))
                .filter(JsonNode::isBoolean)
                .map(JsonNode::asBoolean);
    }

    /**
     * {@code {"instances": [{"input": "...", "output": "..."}]}}; a cut-off answer is not JSON, so the caller learns
     * of it as a parse error.
     */
    static Optional<List<Example>> instances(String answer) {
        Optional<JsonNode> items = object(answer).map(o -> o.get("instances")).filter(JsonNode::isArray);
        if (items.isEmpty()) {
            return Optional.empty();
        }
        List<Example> examples = new ArrayList<>();
        for (JsonNode item : items.get()) {
            if (!item.isObject() || !item.path("output").isString()) {
                return Optional.empty();
            }
            examples.add(new Example(
                    item.path("input").asString("").strip(),
                    item.path("output").asString().strip()));
        }
        return Optional.of(List.copyOf(examples));
    }

    private static Optional<JsonNode> object(String answer) {
        String text = answer.strip();
        // a model without guided decoding may still fence its JSON as markdown
        if (text.startsWith("```")) {
            text = text.replaceFirst("^```(json)?", "").replaceFirst("```$", "").strip();
        }
        try {
            JsonNode node = JSON.readTree(text);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (JacksonException e) {
            return Optional.empty();
        }
    }
}
