package io.selfinstruct.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.JsonValue;
import com.openai.core.MultipartField;
import com.openai.core.ObjectMappers;
import com.openai.core.http.HttpResponse;
import com.openai.errors.OpenAIException;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.batches.BatchListParams;
import com.openai.models.batches.BatchRetrieveParams;
import com.openai.models.files.FileContentParams;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FilePurpose;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A session's requests sent through the provider's Batch API (OpenAI's {@code /v1/files} and {@code /v1/batches}),
 * one wave at a time. A wave is stored before anything is sent, and each step after it (upload, create, poll,
 * ingest) is stored before the next, so a service killed at any point picks the wave up where it was: an uploaded
 * file whose batch may already exist is looked for among the provider's batches before one is created. The output
 * and error files become ordinary stored calls, which the pipeline then reads as it reads online answers.
 */
public final class BatchApi {

    private static final Logger log = LoggerFactory.getLogger(BatchApi.class);
    private static final Set<String> ENDED = Set.of("completed", "expired", "failed", "cancelled");
    /** The provider batches searched for an uploaded wave's file before one is created (the newest first). */
    private static final long LIST_LIMIT = 100;

    private final LlmSettings settings;
    private final String systemPrompt;
    private final OpenAiEndpoint endpoint;
    private final LlmCallLog calls;
    private final LlmCallRepository callRows;
    private final ProviderBatchRepository waves;
    private final TransactionTemplate transaction;
    private final ModelPrice price;

    BatchApi(
            LlmSettings settings,
            String systemPrompt,
            OpenAiEndpoint endpoint,
            LlmCallLog calls,
            LlmCallRepository callRows,
            ProviderBatchRepository waves,
            TransactionTemplate transaction,
            ModelPrice batchPrice) {
        this.settings = settings;
        this.systemPrompt = systemPrompt;
        this.endpoint = endpoint;
        this.calls = calls;
        this.callRows = callRows;
        this.waves = waves;
        this.transaction = transaction;
        this.price = batchPrice;
    }

    /** The batch's wave that is not ingested yet: at most one is in flight. */
    public Optional<ProviderBatch> open() {
        return waves.findFirstByBatchIdAndStateNotOrderByWave(settings.batchId(), ProviderBatch.State.INGESTED);
    }

    /** The price the calls of a wave are billed at: the provider's batch price. */
    public ModelPrice price() {
        return price;
    }

    /**
     * Stores the next wave: its input file and a pending call for each request (each request's key is its
     * {@code custom_id}). Nothing is sent; {@link #advance} sends it.
     */
    public ProviderBatch prepare(List<LlmRequest> requests) {
        if (requests.isEmpty()) {
            throw new IllegalArgumentException("a wave needs at least one request");
        }
        StringBuilder jsonl = new StringBuilder();
        for (LlmRequest request : requests) {
            if (request.requestKey() == null) {
                throw new IllegalArgumentException("a Batch API request needs a request key (its custom_id)");
            }
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("custom_id", request.requestKey());
            line.put("method", "POST");
            line.put("url", endpoint.path());
            line.put("body", endpoint.body(request));
            jsonl.append(json(line)).append('\n');
        }
        int number = waves.findFirstByBatchIdOrderByWaveDesc(settings.batchId())
                        .map(ProviderBatch::getWave)
                        .orElse(0)
                + 1;
        return transaction.execute(tx -> {
            ProviderBatch wave =
                    waves.save(new ProviderBatch(settings.batchId(), number, jsonl.toString(), requests.size()));
            for (LlmRequest request : requests) {
                LlmCall row = calls.rowFor(
                        settings.batchId(),
                        request,
                        settings.model(),
                        RequestFingerprint.of(settings, systemPrompt, request));
                calls.submitted(row, wave.getId());
            }
            return wave;
        });
    }

    /**
     * Takes the wave one step further: uploads its file, creates its provider batch, or polls it and, once it
     * ended, stores its answers. A transient failure (the provider down, a 5xx) leaves the wave where it was, with
     * the error noted, for the next poll.
     *
     * @throws LlmException.Fatal the provider refused the key, the model or the file
     */
    public ProviderBatch advance(ProviderBatch wave) {
        try {
            switch (wave.getState()) {
                case PREPARED -> upload(wave);
                case UPLOADED -> create(wave);
                case SUBMITTED -> poll(wave);
                case INGESTED -> {}
            }
            wave.setError(null);
        } catch (OpenAIException e) {
            Failure failure = Failure.of(e);
            String message =
                    "Batch API: " + failure.kind().tag() + " (HTTP " + failure.status() + ": " + failure.detail() + ")";
            if (!failure.kind().retryable()) {
                throw new LlmException.Fatal(failure.kind(), failure.fatalMessage(settings), e);
            }
            log.warn(
                    "Batch {} wave {}: {}; trying again at the next poll", settings.batchId(), wave.getWave(), message);
            wave.setError(message);
        }
        return waves.save(wave);
    }

    private void upload(ProviderBatch wave) {
        byte[] file = wave.getInputJsonl().getBytes(StandardCharsets.UTF_8);
        String name = "batch-" + settings.batchId() + "-wave-" + wave.getWave() + ".jsonl";
        var uploaded = endpoint.client()
                .files()
                .create(FileCreateParams.builder()
                        .file(MultipartField.<InputStream>builder()
                                .value(new ByteArrayInputStream(file))
                                .filename(name)
                                .contentType("application/jsonl")
                                .build())
                        .purpose(FilePurpose.BATCH)
                        .build());
        wave.setInputFileId(uploaded.id());
        wave.setState(ProviderBatch.State.UPLOADED);
        log.info(
                "Batch {} wave {}: {} requests uploaded as {}",
                settings.batchId(),
                wave.getWave(),
                wave.getRequests(),
                uploaded.id());
    }

    /** Creates the provider batch, unless a run killed after creating it did so already. */
    private void create(ProviderBatch wave) {
        Optional<Batch> existing =
                endpoint
                        .client()
                        .batches()
                        .list(BatchListParams.builder().limit(LIST_LIMIT).build())
                        .data()
                        .stream()
                        .filter(b -> wave.getInputFileId().equals(b.inputFileId()))
                        .findFirst();
        Batch batch = existing.orElseGet(() -> endpoint.client()
                .batches()
                .create(BatchCreateParams.builder()
                        .inputFileId(wave.getInputFileId())
                        .endpoint(BatchCreateParams.Endpoint.of(endpoint.path()))
                        .completionWindow(BatchCreateParams.CompletionWindow._24H)
                        .metadata(BatchCreateParams.Metadata.builder()
                                .putAdditionalProperty(
                                        "selfinstruct_wave", JsonValue.from(settings.batchId() + ":" + wave.getWave()))
                                .build())
                        .build()));
        wave.setProviderBatchId(batch.id());
        wave.setState(ProviderBatch.State.SUBMITTED);
        record(wave, batch);
        log.info(
                "Batch {} wave {}: provider batch {} {}",
                settings.batchId(),
                wave.getWave(),
                batch.id(),
                existing.isPresent() ? "found (created before a restart)" : "created");
    }

    private void poll(ProviderBatch wave) {
        Batch batch = endpoint.client()
                .batches()
                .retrieve(BatchRetrieveParams.builder()
                        .batchId(wave.getProviderBatchId())
                        .build());
        record(wave, batch);
        if (!ENDED.contains(wave.getProviderStatus())) {
            return;
        }
        batch.outputFileId().ifPresent(id -> ingest(wave, id));
        batch.errorFileId().ifPresent(id -> ingest(wave, id));
        int unanswered = 0;
        for (String key : customIds(wave)) {
            Optional<LlmCall> row = callRows.findByRequestKey(key);
            if (row.isPresent() && !LlmCallLog.SUCCEEDED.equals(row.get().getStatus())) {
                if (LlmCallLog.PENDING.equals(row.get().getStatus())) {
                    calls.fail(
                            row.get(),
                            1,
                            0,
                            "no answer in provider batch " + wave.getProviderBatchId() + " (" + wave.getProviderStatus()
                                    + ")");
                }
                unanswered++;
            }
        }
        wave.setState(ProviderBatch.State.INGESTED);
        log.info(
                "Batch {} wave {}: provider batch {} {}, {} of {} requests without an answer",
                settings.batchId(),
                wave.getWave(),
                wave.getProviderBatchId(),
                wave.getProviderStatus(),
                unanswered,
                wave.getRequests());
    }

    private static void record(ProviderBatch wave, Batch batch) {
        wave.setProviderStatus(batch.status().asString());
        batch.requestCounts().ifPresent(counts -> {
            wave.setCompletedCount(Math.toIntExact(counts.completed()));
            wave.setFailedCount(Math.toIntExact(counts.failed()));
        });
        batch.outputFileId().ifPresent(wave::setOutputFileId);
        batch.errorFileId().ifPresent(wave::setErrorFileId);
    }

    /**
     * Stores each line of an output or error file as the outcome of its call; a call already answered (a run killed
     * while ingesting) is left as it is.
     */
    private void ingest(ProviderBatch wave, String fileId) {
        try (HttpResponse content = endpoint.client()
                        .files()
                        .content(FileContentParams.builder().fileId(fileId).build());
                BufferedReader lines =
                        new BufferedReader(new InputStreamReader(content.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (!line.isBlank()) {
                    ingestLine(wave, ObjectMappers.jsonMapper().readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot read file " + fileId + " of provider batch " + wave.getProviderBatchId(), e);
        }
    }

    private void ingestLine(ProviderBatch wave, JsonNode line) {
        String key = line.path("custom_id").asText(null);
        Optional<LlmCall> found = key == null ? Optional.empty() : callRows.findByRequestKey(key);
        if (found.isEmpty() || LlmCallLog.SUCCEEDED.equals(found.get().getStatus())) {
            return;
        }
        LlmCall row = found.get();
        JsonNode response = line.path("response");
        int status = response.path("status_code").asInt(0);
        JsonNode body = response.path("body");
        if (status == 200 && body.isObject()) {
            try {
                OpenAiEndpoint.Reply reply = endpoint.replyOf(body.toString());
                long prompt = reply.usage()
                        .flatMap(u -> u._promptTokens().asKnown())
                        .orElseGet(() -> LlmSession.estimateTokens(row.getPrompt()));
                long completion = reply.usage()
                        .flatMap(u -> u._completionTokens().asKnown())
                        .orElseGet(() -> reply.choices().stream()
                                .mapToLong(c -> LlmSession.estimateTokens(c.text()))
                                .sum());
                calls.succeed(row, reply.choices(), prompt, completion, price.cost(prompt, completion), 0, 1);
                return;
            } catch (Failure.MalformedReply e) {
                calls.fail(row, 1, 0, "provider batch " + wave.getProviderBatchId() + ": " + e.getMessage());
                return;
            }
        }
        JsonNode error = line.path("error").isObject() ? line.path("error") : body.path("error");
        calls.fail(
                row,
                1,
                0,
                "provider batch " + wave.getProviderBatchId() + " answered "
                        + (status == 0 ? "with an error" : "HTTP " + status) + ": "
                        + error.path("message").asText(error.path("code").asText("no message")));
    }

    private static List<String> customIds(ProviderBatch wave) {
        List<String> keys = new ArrayList<>();
        for (String line : wave.getInputJsonl().split("\n")) {
            if (!line.isBlank()) {
                try {
                    keys.add(ObjectMappers.jsonMapper()
                            .readTree(line)
                            .path("custom_id")
                            .asText());
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException("a stored wave line is not JSON", e);
                }
            }
        }
        return keys;
    }

    private static String json(Object value) {
        try {
            return ObjectMappers.jsonMapper().writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
