package io.selfinstruct.llm;

import io.selfinstruct.llm.LlmResult.LlmChoice;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes every call to {@code llm_call} once its outcome is known and before its result is handed back: one
 * row per logical call, whatever its attempts, so nothing is counted twice. A call whose request key already
 * has a failed row (an earlier run of the batch) updates that row instead of adding one.
 */
final class LlmCallLog {

    static final String SUCCEEDED = "SUCCEEDED";
    static final String FAILED = "FAILED";
    static final String PENDING = "PENDING";

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<List<Map<String, String>>> CHOICES = new TypeReference<>() {};

    private final LlmCallRepository repository;

    LlmCallLog(LlmCallRepository repository) {
        this.repository = repository;
    }

    /** The row a call will be stored in: the key's existing row, else a new, still unsaved one. */
    LlmCall rowFor(Long batchId, LlmRequest request, String model, String fingerprint) {
        return Optional.ofNullable(request.requestKey())
                .flatMap(repository::findByRequestKey)
                .orElseGet(() -> new LlmCall(
                        batchId, request.step(), request.requestKey(), model, request.prompt(), fingerprint));
    }

    /**
     * Answers {@code call} from an earlier call with the same fingerprint, when there is one this batch has not
     * reused yet: the row is stored as succeeded with that call's choices, no tokens billed and cost 0.
     */
    Optional<LlmResult> reuse(LlmCall call) {
        if (call.getFingerprint() == null || call.getBatchId() == null) {
            return Optional.empty();
        }
        List<LlmCall> earlier = repository.reusableFor(
                call.getFingerprint(), call.getBatchId(), org.springframework.data.domain.PageRequest.of(0, 1));
        if (earlier.isEmpty()) {
            return Optional.empty();
        }
        LlmCall source = earlier.get(0);
        call.setReusedFrom(source.getId());
        LlmCall stored = succeed(call, choicesOf(source), 0, 0, 0, 0, 0);
        return Optional.of(new LlmResult(choicesOf(stored), 0, 0, 0, stored.getId(), 0, true));
    }

    /** The stored answer of a row that already succeeded, as a result; empty for any other row. */
    Optional<LlmResult> replay(LlmCall call) {
        if (!SUCCEEDED.equals(call.getStatus())) {
            return Optional.empty();
        }
        return Optional.of(new LlmResult(
                choicesOf(call),
                call.getPromptTokens(),
                call.getCompletionTokens(),
                call.getCostUsd(),
                call.getId(),
                call.getAttempts(),
                true));
    }

    /** @param attempts attempts of this run; a reused row adds them to those it already had */
    LlmCall succeed(
            LlmCall call,
            List<LlmChoice> choices,
            long promptTokens,
            long completionTokens,
            double costUsd,
            long latencyMs,
            int attempts) {
        call.setStatus(SUCCEEDED);
        call.setError(null);
        call.setResponse(choices.get(0).text());
        call.setFinishReason(truncate(choices.get(0).finishReason(), 32));
        call.setChoices(JSON.writeValueAsString(choices.stream()
                .map(c -> c.finishReason() == null
                        ? Map.of("text", c.text())
                        : Map.of("text", c.text(), "finish_reason", c.finishReason()))
                .toList()));
        call.setPromptTokens(Math.toIntExact(promptTokens));
        call.setCompletionTokens(Math.toIntExact(completionTokens));
        call.setCostUsd(costUsd);
        call.setLatencyMs(latencyMs);
        call.setAttempts(call.getAttempts() + attempts);
        return repository.save(call);
    }

    /** The call was sent in Batch API wave {@code waveId} and waits for its answer. */
    LlmCall submitted(LlmCall call, long waveId) {
        call.setStatus(PENDING);
        call.setError(null);
        call.setProviderBatchId(waveId);
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
