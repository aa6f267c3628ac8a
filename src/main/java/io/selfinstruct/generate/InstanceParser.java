package io.selfinstruct.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Step 3 of self-instruct: reads generated instances. Input-first responses ("Example N", "Input:",
 * "Output:") for generation tasks; output-first responses ("Class label:" then the input) for classification
 * tasks. A response cut by the token limit loses its last instance.
 */
public final class InstanceParser {

    private static final Pattern EXAMPLE =
            Pattern.compile("(?im)^[ \\t]*Example[ \\t]*\\d+[ \\t]*:?[ \\t]*$|Example\\s?\\d+\\s?:?");
    private static final Pattern OUTPUT = Pattern.compile("Output\\s*\\d*\\s*:");
    private static final Pattern INPUT = Pattern.compile("Input\\s*\\d*\\s*:");
    private static final Pattern LEADING_INPUT = Pattern.compile("^Input\\s*\\d*\\s*:");
    private static final Pattern CLASS_LABEL = Pattern.compile("Class label\\s*:");
    private static final Pattern NEXT_TASK = Pattern.compile("(?m)^[ \\t]*Task\\s*:");

    private InstanceParser() {}

    public static List<Example> parse(String response, boolean classification, boolean truncated) {
        String text = ResponseText.undecorate(response);
        var nextTask = NEXT_TASK.matcher(text);
        if (nextTask.find()) {
            text = text.substring(0, nextTask.start());
        }
        List<Example> examples = classification ? outputFirst(text) : inputFirst(text);
        if (truncated && !examples.isEmpty()) {
            examples = new ArrayList<>(examples.subList(0, examples.size() - 1));
        }
        return List.copyOf(examples);
    }

    private static List<Example> inputFirst(String text) {
        String[] parts = EXAMPLE.split(text, -1);
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].strip();
            // what stands before "Example 1" is a chat lead-in, unless the model skipped the header
            if (i == 0 && parts.length > 1 && !OUTPUT.matcher(part).find()) {
                continue;
            }
            if (part.isEmpty()) {
                continue;
            }
            examples.add(inputOutput(part));
        }
        return examples;
    }

    /** The reference's parse of one example: input before "Output:", output up to any further "Input:". */
    static Example inputOutput(String example) {
        String input;
        String output;
        var out = OUTPUT.matcher(example);
        if (out.find()) {
            input = example.substring(0, out.start()).strip();
            String rest = example.substring(out.end());
            var nextOut = OUTPUT.matcher(rest);
            output = (nextOut.find() ? rest.substring(0, nextOut.start()) : rest).strip();
        } else {
            input = "";
            output = example.strip();
        }
        var in = INPUT.matcher(output);
        if (in.find()) {
            output = output.substring(0, in.start()).strip();
        }
        input = LEADING_INPUT.matcher(input).replaceFirst("").strip();
        return new Example(input, output);
    }

    private static List<Example> outputFirst(String text) {
        String[] parts = CLASS_LABEL.split(text, -1);
        List<Example> examples = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i].strip();
            if (part.isEmpty()) {
                continue;
            }
            int newline = part.indexOf('\n');
            String label = (newline < 0 ? part : part.substring(0, newline)).strip();
            String input = newline < 0 ? "" : part.substring(newline + 1).strip();
            examples.add(new Example(input, label));
        }
        return examples;
    }

    public record Example(String input, String output) {}
}
