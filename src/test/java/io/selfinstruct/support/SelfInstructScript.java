package io.selfinstruct.support;

import io.selfinstruct.support.ScriptedLlmServer.Answer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Scripted answers for every step of both generation modes, recognised from the prompt's shape. New
 * instructions are made of random pseudo-words (so they pass ROUGE-L dedup), and, when asked, responses carry
 * one example of every kind of bad candidate the filters must catch, plus chat-style decoration.
 */
public final class SelfInstructScript implements Function<String, Answer>, StructuredScript {

    private static final String[] VERBS = {
        "Explain",
        "Describe",
        "Summarize",
        "Compare",
        "List",
        "Suggest",
        "Classify",
        "Rewrite",
        "Translate",
        "Outline",
        "Evaluate",
        "Predict",
        "Estimate",
        "Recommend",
        "Define",
        "Plan",
        "Critique",
        "Convert",
        "Name",
        "Identify"
    };
    private static final String CONSONANTS = "bdfgklmnprstvz";
    private static final String VOWELS = "aeiou";
    private static final String HANZI = "天地人山水火木金土日月星风云雨雪花草树鸟鱼虫马牛羊猪狗猫书笔纸墨画歌舞茶酒饭菜汤面米糖盐油"
            + "春夏秋冬东南西北前后左右上下大小多少高低长短快慢新旧冷热明暗红黄蓝绿白黑学问读写说听看想做用找"
            + "买卖走跑飞游坐立开关来去出入早晚今昨城乡路桥河湖海岛林田园门窗桌椅床灯车船家校店院";
    private static final Pattern TASK_LINE = Pattern.compile("(?m)^Task: (.*)$");
    private static final Pattern LIST_END = Pattern.compile("(?s).*\\n(\\d+)\\.$");
    private static final Pattern FIRST_ITEM = Pattern.compile("(?m)^1\\. (.*)$");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final AtomicLong counter = new AtomicLong();
    /** Numbers the list responses alone, so every kind of bad candidate comes round within six of them. */
    private final AtomicLong responses = new AtomicLong();
    /** Numbers the instance responses alone, so every kind of bad instance comes round within ten of them. */
    private final AtomicLong instanceResponses = new AtomicLong();

    private final boolean rejections;
    private final boolean decorated;

    /**
     * @param rejections include one bad candidate of each kind the filters catch
     * @param decorated  answer like a chat model: a lead-in sentence and markdown bold
     */
    public SelfInstructScript(boolean rejections, boolean decorated) {
        this.rejections = rejections;
        this.decorated = decorated;
    }

    /**
     * Steps 2 and 3 as JSON objects ({@code is_classification}, {@code instances}), with the same decisions and the
     * same kinds of bad instances as the text answers.
     */
    @Override
    public Answer structured(String prompt, String schemaName) {
        boolean zh = isChinese(prompt.lines().findFirst().orElse(""));
        ObjectNode answer = JSON.createObjectNode();
        if (schemaName.equals("is_classification")) {
            List<String> tasks = tasks(prompt);
            answer.put(
                    "is_classification",
                    Math.floorMod(tasks.get(tasks.size() - 1).hashCode(), 4) == 0);
            return Answer.stop(JSON.writeValueAsString(answer));
        }
        ArrayNode instances = answer.putArray("instances");
        if (prompt.contains("Class label:")) {
            instance(instances, pseudoWords(6, zh), "Alpha");
            instance(instances, pseudoWords(6, zh), "Beta");
            return Answer.stop(JSON.writeValueAsString(answer));
        }
        int h = (int) (instanceResponses.incrementAndGet() % 10);
        if (rejections && h == 3) {
            instance(instances, "same text", "same text");
        } else if (rejections && h == 4) {
            instance(instances, "2 + 2", "4");
            instance(instances, "2 + 2", "5");
        } else {
            String a = pseudoWords(5, zh);
            String b = pseudoWords(6, zh);
            instance(instances, a, b);
            if (rejections && h == 5) {
                instance(instances, "x", "");
                instance(instances, "Fill in:", "y");
                instance(instances, a, b);
            } else {
                instance(instances, pseudoWords(4, zh), pseudoWords(7, zh));
            }
        }
        return Answer.stop(JSON.writeValueAsString(answer));
    }

    private static void instance(ArrayNode instances, String input, String output) {
        ObjectNode instance = instances.addObject();
        instance.put("input", input);
        instance.put("output", output);
    }

    @Override
    public Answer apply(String prompt) {
        String trimmed = prompt.stripTrailing();
        boolean zh = isChinese(prompt.lines().findFirst().orElse(""));
        if (trimmed.endsWith("Is it classification?")) {
            List<String> tasks = tasks(prompt);
            String task = tasks.get(tasks.size() - 1);
            return Answer.stop(Math.floorMod(task.hashCode(), 4) == 0 ? " Yes" : " No");
        }
        if (prompt.endsWith("\n") && lastLine(trimmed).startsWith("Task:")) {
            String task = lastLine(trimmed).substring(5).strip();
            return Answer.stop(prompt.contains("Class label:") ? labels(task, zh) : examples(task, zh));
        }
        if (trimmed.endsWith("Instruction:")) {
            return alpaca(zh);
        }
        Matcher end = LIST_END.matcher(trimmed);
        if (end.matches()) {
            return instructions(Integer.parseInt(end.group(1)), prompt, zh);
        }
        return Answer.stop("I do not know this prompt.");
    }

    private Answer instructions(int next, String prompt, boolean zh) {
        long n = responses.incrementAndGet();
        List<String> items = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            items.add(fresh(zh));
        }
        boolean truncated = false;
        if (rejections) {
            items.add(zh ? chineseBad(n) : englishBad(n));
            if (n % 3 == 0) {
                Matcher first = FIRST_ITEM.matcher(prompt);
                if (first.find()) {
                    items.add(first.group(1));
                }
            }
            truncated = n % 7 == 0;
        }
        StringBuilder text = new StringBuilder(decorated ? "Sure! Here are more tasks:\n\n" + next + ". " : " ");
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                text.append('\n').append(next + i).append(". ");
            }
            text.append(decorated && i % 2 == 0 ? "**" + items.get(i) + "**" : items.get(i));
        }
        if (truncated) {
            text.append('\n').append(next + items.size()).append(". ").append(zh ? "请解释为什么" : "Explain why the");
        }
        if (decorated) {
            text.append("\n\nLet me know if you need more!");
        }
        return new Answer(text.toString(), truncated ? "length" : "stop");
    }

    private static String englishBad(long n) {
        return switch ((int) (n % 6)) {
            case 0 -> "Draw a picture of a quiet harbor at night.";
            case 1 -> "Write a program that reverses the given string.";
            case 2 -> "List three colors.";
            case 3 -> "\"Quoted\" instructions start with a punctuation mark.";
            case 4 -> "Écrivez une courte histoire sur la mer et le vent.";
            default -> "word " + "filler ".repeat(160);
        };
    }

    private static String chineseBad(long n) {
        return switch ((int) (n % 3)) {
            case 0 -> "请描述这张图片里的风景。";
            case 1 -> "翻译";
            default -> "Translate this sentence into French please.";
        };
    }

    private Answer alpaca(boolean zh) {
        long n = responses.incrementAndGet();
        StringBuilder text = new StringBuilder();
        int blocks = 4;
        for (int i = 0; i < blocks; i++) {
            int number = 4 + i;
            String instruction = fresh(zh);
            String input = i % 2 == 0 ? "<noinput>" : pseudoWords(6, zh);
            String output = pseudoWords(8, zh);
            if (rejections && i == 3) {
                input = output;
            }
            if (i > 0) {
                text.append("###\n").append(number).append(". Instruction: ");
            } else {
                text.append(' ');
            }
            text.append(instruction)
                    .append('\n')
                    .append(number)
                    .append(". Input:\n")
                    .append(input)
                    .append('\n')
                    .append(number)
                    .append(". Output:\n")
                    .append(output)
                    .append('\n');
        }
        if (rejections) {
            text.append("###\n8. Instruction: ")
                    .append(zh ? chineseBad(n) : englishBad(n))
                    .append("\n8. Input:\n<noinput>\n8. Output:\n")
                    .append(pseudoWords(5, zh))
                    .append('\n');
        }
        return Answer.stop(text.toString());
    }

    private String examples(String task, boolean zh) {
        // numbered by call, not by the task's text: under concurrency the texts differ from run to run, and a hash
        // of them could leave out a kind of bad instance in a whole batch; this way each comes round every ten
        int h = (int) (instanceResponses.incrementAndGet() % 10);
        if (rejections && h == 3) {
            return "Example 1\nInput: same text\nOutput: same text";
        }
        if (rejections && h == 4) {
            return "Example 1\nInput: 2 + 2\nOutput: 4\n\nExample 2\nInput: 2 + 2\nOutput: 5";
        }
        String a = pseudoWords(5, zh);
        String b = pseudoWords(6, zh);
        String good = "Example 1\nInput: " + a + "\nOutput: " + b;
        if (rejections && h == 5) {
            return good + "\n\nExample 2\nInput: x\nOutput:\n\nExample 3\nInput: Fill in:\nOutput: y\n\n"
                    + "Example 4\nInput: " + a + "\nOutput: " + b;
        }
        return good + "\n\nExample 2\nInput: " + pseudoWords(4, zh) + "\nOutput: " + pseudoWords(7, zh);
    }

    private String labels(String task, boolean zh) {
        return "Class label: Alpha\nSentence: " + pseudoWords(6, zh) + "\nClass label: Beta\nSentence: "
                + pseudoWords(6, zh);
    }

    /** A new random instruction, as step 1 would generate it. */
    public String freshInstruction() {
        return fresh(false);
    }

    private String fresh(boolean zh) {
        if (zh) {
            return "请" + pseudoWords(12, true) + "。";
        }
        long n = counter.incrementAndGet();
        return VERBS[(int) (n % VERBS.length)] + " " + pseudoWords(7, false) + ".";
    }

    private String pseudoWords(int count, boolean zh) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < count; i++) {
            long n = mix(counter.incrementAndGet());
            if (zh) {
                s.append(HANZI.charAt((int) Math.floorMod(n, (long) HANZI.length())));
                continue;
            }
            if (i > 0) {
                s.append(' ');
            }
            for (int syllable = 0; syllable < 3; syllable++) {
                s.append(CONSONANTS.charAt((int) Math.floorMod(n, (long) CONSONANTS.length())));
                n /= CONSONANTS.length();
                s.append(VOWELS.charAt((int) Math.floorMod(n, (long) VOWELS.length())));
                n /= VOWELS.length();
            }
        }
        return s.toString();
    }

    private static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        x *= 0xc4ceb9fe1a85ec53L;
        return x ^ (x >>> 33);
    }

    private static List<String> tasks(String prompt) {
        List<String> tasks = new ArrayList<>();
        Matcher m = TASK_LINE.matcher(prompt);
        while (m.find()) {
            tasks.add(m.group(1).strip());
        }
        return tasks;
    }

    private static String lastLine(String text) {
        int newline = text.lastIndexOf('\n');
        return newline < 0 ? text : text.substring(newline + 1);
    }

    private static boolean isChinese(String line) {
        return line.codePoints().anyMatch(c -> Character.UnicodeScript.of(c) == Character.UnicodeScript.HAN);
    }
}
