package io.selfinstruct.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Alpaca mode: the continuation of "N. Instruction:" holding several {@code ###}-separated blocks of
 * instruction, input and output. Unlike the reference, a block is read whatever its number (numbering drift
 * loses nothing) and blocks also split on a new numbered "Instruction:" line when a model forgets {@code ###}.
 */
public final class AlpacaBlockParser {

    private static final Pattern FIELD =
            Pattern.compile("(?im)^[ \\t]*(?:\\d{1,3}[ \\t]*[.)][ \\t]*)?(Instruction|Input|Output)[ \\t]*:[ \\t]*");
    private static final Pattern SEPARATOR = Pattern.compile("(?m)^[ \\t]*###[ \\t]*$|###");
    private static final Pattern NUMBERED_INSTRUCTION =
            Pattern.compile("(?im)(?=^[ \\t]*\\d{1,3}[ \\t]*[.)][ \\t]*Instruction[ \\t]*:)");

    private AlpacaBlockParser() {}

    /**
     * @param continuation the model's text after the prompt's final "N. Instruction:"
     * @param truncated    cut by the token limit: the last block is dropped
     */
    public static Parsed parse(String continuation, boolean truncated) {
        String text = "Instruction: " + ResponseText.undecorate(continuation);
        List<String> blocks = new ArrayList<>();
        for (String chunk : SEPARATOR.split(text)) {
            for (String block : NUMBERED_INSTRUCTION.split(chunk)) {
                if (!block.isBlank()) {
                    blocks.add(block);
                }
            }
        }
        List<Task> tasks = new ArrayList<>();
        int malformed = 0;
        Task dropped = null;
        for (int i = 0; i < blocks.size(); i++) {
            Task task = read(blocks.get(i));
            boolean lastOfTruncated = truncated && i == blocks.size() - 1;
            if (lastOfTruncated) {
                dropped = task;
            } else if (task == null) {
                malformed++;
            } else {
                tasks.add(task);
            }
        }
        return new Parsed(List.copyOf(tasks), malformed, dropped != null || truncated && !blocks.isEmpty());
    }

    private static Task read(String block) {
        Matcher m = FIELD.matcher(block);
        String instruction = null;
        String input = null;
        String output = null;
        String field = null;
        int valueStart = 0;
        while (true) {
            boolean found = m.find();
            if (field != null) {
                String value = block.substring(valueStart, found ? m.start() : block.length())
                        .strip();
                switch (field) {
                    case "instruction" -> instruction = instruction == null ? value : instruction;
                    case "input" -> input = input == null ? value : input;
                    default -> output = output == null ? value : output;
                }
            }
            if (!found) {
                break;
            }
            field = m.group(1).toLowerCase(java.util.Locale.ROOT);
            valueStart = m.end();
        }
        if (instruction == null || input == null || output == null) {
            return null;
        }
        String in = input.strip();
        if (in.equalsIgnoreCase("<noinput>") || in.equalsIgnoreCase("<no input>")) {
            in = "";
        }
        return new Task(ResponseText.collapse(instruction), in, output.strip());
    }

    public record Task(String instruction, String input, String output) {}

    /**
     * @param tasks     blocks with all three fields
     * @param malformed blocks missing a field
     * @param truncated the response was cut and its last block dropped
     */
    public record Parsed(List<Task> tasks, int malformed, boolean truncated) {}
}
