package io.selfinstruct.finetune.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An {@code alpaca_data.json} file: a JSON array of {@code {"instruction", "input", "output"}} objects, or the
 * same objects one per line (JSONL).
 */
public final class AlpacaFile {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private AlpacaFile() {
    }

    public static List<Example> read(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public static List<Example> parse(String text) {
        String trimmed = text.strip();
        List<JsonNode> items = new ArrayList<>();
        try {
            if (trimmed.startsWith("[")) {
                JSON.readTree(trimmed).values().forEach(items::add);
            } else {
                for (String line : trimmed.split("\\R")) {
                    if (!line.isBlank()) {
                        items.add(JSON.readTree(line));
                    }
                }
            }
        } catch (JacksonException e) {
            throw new IllegalArgumentException("the alpaca file is not valid JSON or JSONL: " + e.getOriginalMessage());
        }
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            if (!item.path("instruction").isString() || !item.path("output").isString()) {
                throw new IllegalArgumentException("alpaca item " + i + " needs string fields instruction and output");
            }
            examples.add(new Example(item.get("instruction").asString(), item.path("input").asString(""),
                    item.get("output").asString()));
        }
        return examples;
    }
}
