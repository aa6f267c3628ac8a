package io.selfinstruct.serve;

import io.selfinstruct.llama.sampling.TokenLogprobs;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A choice's {@code logprobs} in OpenAI's shapes, from its steps' {@link TokenLogprobs}. A token's text is what it
 * adds to the decoded output after the tokens before it (so the chosen tokens concatenate to the output, leading
 * spaces included), or, where that is not a plain suffix, the token decoded alone.
 */
final class ChoiceLogprobs {

    private final Function<long[], String> decode;
    private final List<Long> before = new ArrayList<>();
    private String beforeText = "";

    /** @param decode token ids to text, special tokens skipped */
    ChoiceLogprobs(Function<long[], String> decode) {
        this.decode = decode;
    }

    /** Chat's {@code {"content": [{"token", "logprob", "bytes", "top_logprobs"}], "refusal": null}} for the next steps. */
    Map<String, Object> chat(List<TokenLogprobs> steps) {
        List<Map<String, Object>> content = new ArrayList<>();
        for (TokenLogprobs step : steps) {
            Map<String, Object> entry = entry(text(step.token()), step.logprob());
            List<Map<String, Object>> top = new ArrayList<>();
            for (TokenLogprobs.Candidate candidate : step.top()) {
                top.add(entry(text(candidate.token()), candidate.logprob()));
            }
            entry.put("top_logprobs", top);
            content.add(entry);
            advance(step.token());
        }
        Map<String, Object> logprobs = new LinkedHashMap<>();
        logprobs.put("content", content);
        logprobs.put("refusal", null);
        return logprobs;
    }

    /** Legacy completions' {@code {"tokens", "token_logprobs", "top_logprobs", "text_offset"}} for the next steps. */
    Map<String, Object> text(List<TokenLogprobs> steps) {
        List<String> tokens = new ArrayList<>();
        List<Double> logprobs = new ArrayList<>();
        List<Map<String, Double>> tops = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        for (TokenLogprobs step : steps) {
            tokens.add(text(step.token()));
            logprobs.add(step.logprob());
            Map<String, Double> top = new LinkedHashMap<>();
            for (TokenLogprobs.Candidate candidate : step.top()) {
                top.putIfAbsent(text(candidate.token()), candidate.logprob());
            }
            tops.add(top);
            offsets.add(beforeText.length());
            advance(step.token());
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("tokens", tokens);
        answer.put("token_logprobs", logprobs);
        answer.put("top_logprobs", tops);
        answer.put("text_offset", offsets);
        return answer;
    }

    private String text(long token) {
        String after = decode.apply(ids(token));
        return after.startsWith(beforeText) ? after.substring(beforeText.length()) : decode.apply(new long[] {token});
    }

    private void advance(long token) {
        before.add(token);
        beforeText = decode.apply(ids(-1));
    }

    private long[] ids(long next) {
        long[] ids = before.stream().mapToLong(Long::longValue).toArray();
        if (next < 0) {
            return ids;
        }
        ids = Arrays.copyOf(ids, ids.length + 1);
        ids[ids.length - 1] = next;
        return ids;
    }

    private static Map<String, Object> entry(String token, double logprob) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("token", token);
        entry.put("logprob", logprob);
        byte[] utf8 = token.getBytes(StandardCharsets.UTF_8);
        List<Integer> bytes = new ArrayList<>(utf8.length);
        for (byte b : utf8) {
            bytes.add(b & 0xff);
        }
        entry.put("bytes", bytes);
        return entry;
    }
}
