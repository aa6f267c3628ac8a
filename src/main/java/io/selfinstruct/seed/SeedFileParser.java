package io.selfinstruct.seed;

import io.selfinstruct.problem.InvalidRequestException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a seed file (JSONL in the self-instruct format) all the way through before anything is stored, so a
 * file with one bad line is rejected whole. Every error names the line and the field.
 */
public final class SeedFileParser {

    static final int MAX_TASKS = 100_000;
    static final int MAX_TEXT_CHARS = 20_000;
    static final int MAX_INSTANCES = 100;

    private final JsonMapper json;

    public SeedFileParser(JsonMapper json) {
        this.json = json;
    }

    public List<SeedTaskLine> parse(Reader reader) {
        List<SeedTaskLine> tasks = new ArrayList<>();
        Map<String, Integer> lineOfId = new HashMap<>();
        try (BufferedReader lines = new BufferedReader(reader)) {
            String line;
            int number = 0;
            while ((line = lines.readLine()) != null) {
                number++;
                if (number == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
                if (line.isBlank()) {
                    continue;
                }
                if (tasks.size() >= MAX_TASKS) {
                    throw new InvalidRequestException(
                            "A seed set holds at most " + MAX_TASKS + " tasks; line " + number + " is one too many");
                }
                SeedTaskLine task = parseLine(line, number);
                Integer earlier = lineOfId.putIfAbsent(task.id(), number);
                if (earlier != null) {
                    throw error(number, "id", "duplicate id \"" + task.id() + "\" (first on line " + earlier + ")");
                }
                tasks.add(task);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the seed file", e);
        }
        if (tasks.isEmpty()) {
            throw new InvalidRequestException("The seed file holds no tasks: send one JSON object per line");
        }
        return tasks;
    }

    private SeedTaskLine parseLine(String line, int number) {
        JsonNode node;
        try {
            node = json.readTree(line);
        } catch (JacksonException e) {
            throw new InvalidRequestException(
                    "line " + number + ": invalid JSON (" + firstLine(e.getOriginalMessage()) + ")");
        }
        if (node == null || !node.isObject()) {
            throw new InvalidRequestException("line " + number + ": expected a JSON object with the fields id, "
                    + "instruction, instances and is_classification");
        }
        String id = text(node, "id", number, false);
        String instruction = text(node, "instruction", number, true);
        String name = node.hasNonNull("name") ? text(node, "name", number, false) : id;
        List<SeedTaskLine.Example> instances = instances(node.get("instances"), number);
        JsonNode cls = node.get("is_classification");
        if (cls == null || cls.isNull()) {
            throw error(number, "is_classification", "is missing (true or false)");
        }
        if (!cls.isBoolean()) {
            throw error(number, "is_classification", "must be true or false");
        }
        return new SeedTaskLine(id, name, instruction, instances, cls.booleanValue());
    }

    private static String text(JsonNode node, String field, int number, boolean nonBlank) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw error(number, field, "is missing");
        }
        if (!value.isString()) {
            throw error(number, field, "must be a string");
        }
        String text = value.stringValue();
        if ((nonBlank || field.equals("id")) && text.isBlank()) {
            throw error(number, field, "is empty");
        }
        if (text.length() > MAX_TEXT_CHARS) {
            throw error(number, field, "is longer than " + MAX_TEXT_CHARS + " characters");
        }
        return text;
    }

    private static List<SeedTaskLine.Example> instances(JsonNode node, int number) {
        if (node == null || node.isNull()) {
            throw error(number, "instances", "is missing (a list of {\"input\", \"output\"})");
        }
        if (!node.isArray()) {
            throw error(number, "instances", "must be a list of {\"input\", \"output\"}");
        }
        if (node.isEmpty()) {
            throw error(number, "instances", "is empty: give at least one {\"input\", \"output\"}");
        }
        if (node.size() > MAX_INSTANCES) {
            throw error(number, "instances", "has more than " + MAX_INSTANCES + " entries");
        }
        List<SeedTaskLine.Example> examples = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode instance = node.get(i);
            String field = "instances[" + i + "]";
            if (!instance.isObject()) {
                throw error(number, field, "must be an object with input and output");
            }
            JsonNode input = instance.get("input");
            JsonNode output = instance.get("output");
            if (input != null && !input.isNull() && !input.isString()) {
                throw error(number, field + ".input", "must be a string");
            }
            if (output == null || output.isNull()) {
                throw error(number, field + ".output", "is missing");
            }
            if (!output.isString()) {
                throw error(number, field + ".output", "must be a string");
            }
            String in = input == null || input.isNull() ? "" : input.stringValue();
            if (in.length() > MAX_TEXT_CHARS || output.stringValue().length() > MAX_TEXT_CHARS) {
                throw error(number, field, "is longer than " + MAX_TEXT_CHARS + " characters");
            }
            examples.add(new SeedTaskLine.Example(in, output.stringValue()));
        }
        return List.copyOf(examples);
    }

    private static InvalidRequestException error(int line, String field, String problem) {
        return new InvalidRequestException("line " + line + ": field '" + field + "' " + problem);
    }

    private static String firstLine(String message) {
        return message == null ? "unreadable" : message.lines().findFirst().orElse("unreadable");
    }
}
