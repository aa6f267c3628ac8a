package io.selfinstruct.llm;

import io.selfinstruct.llm.LlmResult.LlmChoice;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes every call to {@code llm_call}: a PENDING row when its first attempt goes out, then the outcome, so a
 * result reaches the caller only once it is stored. One row per logical call, whatever the attempts, so
 * nothing is counted twice; a call retried after a crash reuses the row its request key already has.
 */
final class LlmCallLog {

    static final String PENDING = "PENDING";
    static final String SUCCEEDED = "SUCCEEDED";
    static final String FAILED = "FAILED";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<List<Map<String, String>>> CHOICES = new TypeReference<>() {
    };

    private final LlmCallRepository repository;

    LlmCallLog(LlmCallRepository repository) {
        this.repository = repository;
    }

    /** The stored answer of a finished call with this key, if there is one. */
    Optional<LlmResult> findSucceeded(String requestKey) {
        return repository.findByRequestKey(requestKey)
                .filter(call -> SUCCEEDED.equals(call.getStatus()))
                .map(call -> new LlmResult(choicesOf(call), call.getPromptTokens(), call.getCompletionTokens(),
                        call.getCostUsd(), call.getId(), call.getAttempts(), true));
    }

    LlmCall begin(Long batchId, LlmRequest request, String model) {
        LlmCall call = request.requestKey() == null ? null
                : repository.findByRequestKey(request.requestKey()).orElse(null);
        if (call == null) {
            call = new LlmCall(batchId, request.step(), request.requestKey(), model, request.prompt());
        } else {
            call.setStatus(PENDING);
            call.setError(null);
        }
        return repository.save(call);
    }

    /** @param attempts attempts of this run; a reused row adds them to those it already had */
    LlmCall succeed(LlmCall call, List<LlmChoice> choices, long promptTokens, long completionTokens, double costUsd,
            long latencyMs, int attempts) {
        call.setStatus(SUCCEEDED);
        call.setError(null);
        call.setResponse(choices.get(0).text());
        call.setFinishReason(truncate(choices.get(0).finishReason(), 32));
        call.setChoices(JSON.writeValueAsString(choices.stream()
                .map(c -> c.finishReason() == null ? Map.of("text", c.text())
                        : Map.of("text", c.text(), "finish_reason", c.finishReason()))
                .toList()));
        call.setPromptTokens(Math.toIntExact(promptTokens));
        call.setCompletionTokens(Math.toIntExact(completionTokens));
        call.setCostUsd(costUsd);
        call.setLatencyMs(latencyMs);
        call.setAttempts(call.getAttempts() + attempts);
        return repository.save(call);
    }

    LlmCall fail(LlmCall call, int attempts, long latencyMs, String error) {
        call.setStatus(FAILED);
        call.setError(error);
        call.setLatencyMs(latencyMs);
        call.setAttempts(call.getAttempts() + attempts);
        return repository.save(call);
    }

    double spentBy(Long batchId) {
        return batchId == null ? 0 : repository.sumCostUsdByBatchId(batchId);
    }

    private static List<LlmChoice> choicesOf(LlmCall call) {
        if (call.getChoices() == null) {
            return List.of(new LlmChoice(call.getResponse() == null ? "" : call.getResponse(), call.getFinishReason()));
        }
        List<LlmChoice> choices = new ArrayList<>();
        for (Map<String, String> c : JSON.readValue(call.getChoices(), CHOICES)) {
            choices.add(new LlmChoice(c.getOrDefault("text", ""), c.get("finish_reason")));
        }
        return choices;
    }

    private static String truncate(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }
}
