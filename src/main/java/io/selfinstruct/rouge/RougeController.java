package io.selfinstruct.rouge;

import io.selfinstruct.problem.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * ROUGE-L as a service: score pairs, and greedy-dedup a list the way pool admission does.
 *
 * <p>Limits keep one request from holding the CPU for long: {@value #MAX_PAIRS} pairs, {@value #MAX_INSTRUCTIONS}
 * instructions, {@value #MAX_TEXT_CHARS} characters per text and {@value #MAX_TOTAL_CHARS} characters per request.
 */
@RestController
@RequestMapping("/api/rouge")
class RougeController {

    static final int MAX_PAIRS = 10_000;
    static final int MAX_INSTRUCTIONS = 100_000;
    static final int MAX_TEXT_CHARS = 10_000;
    static final int MAX_TOTAL_CHARS = 20_000_000;

    /** {@code a} is rouge_score's target and {@code b} the prediction, as in {@code scorer.score(a, b)}. */
    record Pair(String a, String b) {}

    record ScoreRequest(List<Pair> pairs, String tokenizer) {}

    record DedupRequest(List<String> instructions, Double threshold, String tokenizer) {}

    record DedupResponse(List<Integer> kept, long millis) {}

    @PostMapping("/score")
    List<RougeScore> score(@RequestBody ScoreRequest request) {
        RougeTokenizer tokenizer = tokenizer(request.tokenizer());
        List<Pair> pairs = request.pairs();
        if (pairs == null || pairs.isEmpty()) {
            throw new InvalidRequestException("'pairs' must be a non-empty list of {\"a\": target, \"b\": prediction}");
        }
        if (pairs.size() > MAX_PAIRS) {
            throw new InvalidRequestException(
                    "'pairs' has " + pairs.size() + " entries; at most " + MAX_PAIRS + " per request");
        }
        long total = 0;
        for (int i = 0; i < pairs.size(); i++) {
            Pair pair = pairs.get(i);
            if (pair == null) {
                throw new InvalidRequestException("pairs[" + i + "] is null");
            }
            total += checkText(pair.a(), "pairs[" + i + "].a") + checkText(pair.b(), "pairs[" + i + "].b");
        }
        checkTotal(total);
        List<RougeScore> scores = new ArrayList<>(pairs.size());
        for (Pair pair : pairs) {
            scores.add(RougeL.score(pair.a(), pair.b(), tokenizer));
        }
        return scores;
    }

    @PostMapping("/dedup")
    DedupResponse dedup(@RequestBody DedupRequest request) {
        RougeTokenizer tokenizer = tokenizer(request.tokenizer());
        double threshold = request.threshold() == null ? RougeL.SELF_INSTRUCT_THRESHOLD : request.threshold();
        if (!(threshold >= 0 && threshold <= 1)) {
            throw new InvalidRequestException("'threshold' must be between 0 and 1, got " + request.threshold());
        }
        List<String> instructions = request.instructions();
        if (instructions == null) {
            throw new InvalidRequestException("'instructions' must be a list of strings");
        }
        if (instructions.size() > MAX_INSTRUCTIONS) {
            throw new InvalidRequestException("'instructions' has " + instructions.size() + " entries; at most "
                    + MAX_INSTRUCTIONS + " per request");
        }
        long total = 0;
        for (int i = 0; i < instructions.size(); i++) {
            total += checkText(instructions.get(i), "instructions[" + i + "]");
        }
        checkTotal(total);
        long start = System.nanoTime();
        List<Integer> kept = GreedyDedup.keep(instructions, threshold, tokenizer);
        return new DedupResponse(kept, (System.nanoTime() - start) / 1_000_000);
    }

    private static RougeTokenizer tokenizer(String name) {
        try {
            return RougeTokenizer.byName(name);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("'tokenizer' must be 'default' or 'cjk', got '" + name + "'");
        }
    }

    private static int checkText(String text, String field) {
        if (text == null) {
            throw new InvalidRequestException(field + " is missing or null; give a string (it may be empty)");
        }
        if (text.length() > MAX_TEXT_CHARS) {
            throw new InvalidRequestException(
                    field + " has " + text.length() + " characters; at most " + MAX_TEXT_CHARS);
        }
        return text.length();
    }

    private static void checkTotal(long total) {
        if (total > MAX_TOTAL_CHARS) {
            throw new InvalidRequestException(
                    "the request holds " + total + " characters of text; at most " + MAX_TOTAL_CHARS);
        }
    }
}
