package io.selfinstruct.evaluate;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.selfinstruct.finetune.FineTuneWorker;
import io.selfinstruct.finetune.HeldOutExample;
import io.selfinstruct.llm.LlmUsage;
import io.selfinstruct.llm.OutboundHosts;
import io.selfinstruct.llm.SelfEndpoint;
import io.selfinstruct.pool.PoolExamples;
import io.selfinstruct.pool.PoolFilter;
import io.selfinstruct.problem.ConflictException;
import io.selfinstruct.problem.InvalidRequestException;
import io.selfinstruct.problem.NotFoundException;
import io.selfinstruct.seed.SeedSets;
import io.selfinstruct.seed.SeedTaskLine;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Creating, reading and cancelling evaluations: what the REST API and the admin pages call. */
@Service
public class Evaluations {

    public static final int MAX_LIMIT = 10_000;
    public static final int DEFAULT_LIMIT = 200;

    private final EvaluationStore store;
    private final SeedSets seedSets;
    private final PoolExamples pool;
    private final OutboundHosts outboundHosts;
    private final LlmUsage usage;
    private final JsonMapper json;
    private final SelfEndpoint self;
    private final FineTuneWorker fineTunes;

    public Evaluations(
            EvaluationStore store,
            SeedSets seedSets,
            PoolExamples pool,
            OutboundHosts outboundHosts,
            LlmUsage usage,
            JsonMapper json,
            SelfEndpoint self,
            FineTuneWorker fineTunes) {
        this.store = store;
        this.seedSets = seedSets;
        this.pool = pool;
        this.outboundHosts = outboundHosts;
        this.usage = usage;
        this.json = json;
        this.self = self;
        this.fineTunes = fineTunes;
    }

    /** An evaluation as the API shows it. */
    public record EvaluationView(
            long id,
            EvaluationStatus status,
            String statusReason,
            String error,
            Map<String, Object> modelA,
            Map<String, Object> modelB,
            Map<String, Object> judge,
            String instructions,
            Double maxCostUsd,
            Map<String, Integer> progress,
            double costUsd,
            Summary summary,
            @JsonProperty("byTaskType") Map<String, Summary> byTask,
            Instant createdAt,
            Instant startedAt,
            Instant finishedAt) {}

    public EvaluationView create(JsonNode request) {
        if (request == null || !request.isObject()) {
            throw new InvalidRequestException("the body must be a JSON object");
        }
        for (String field : request.propertyNames()) {
            if (!List.of(
                            "models",
                            "judge",
                            "instructions",
                            "limit",
                            "maxCostUsd",
                            "concurrency",
                            "temperature",
                            "maxTokens")
                    .contains(field)) {
                throw new InvalidRequestException("unknown field '" + field + "'");
            }
        }
        JsonNode models = request.get("models");
        if (models == null || !models.isArray() || models.size() != 2) {
            throw new InvalidRequestException("models must be a list of two models: [A, B]");
        }
        String[] keys = new String[3];
        ModelRef a = model(models.get(0), "models[0]", keys, 0);
        ModelRef b = model(models.get(1), "models[1]", keys, 1);
        if (request.get("judge") == null) {
            throw new InvalidRequestException("judge must be set");
        }
        ModelRef judge = model(request.get("judge"), "judge", keys, 2);
        int limit = integer(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        int concurrency = integer(request, "concurrency", 4, 1, 64);
        int maxTokens = integer(request, "maxTokens", 1024, 1, 32_768);
        Double maxCostUsd = number(request, "maxCostUsd", null, 0, Double.MAX_VALUE);
        double temperature = number(request, "temperature", 0.0, 0, 2);
        JsonNode instructions = request.get("instructions");
        if (instructions == null || !instructions.isObject()) {
            throw new InvalidRequestException(
                    "instructions must be {\"seedSet\": name}, {\"heldOutOfJob\": id} or a pool filter");
        }
        String source;
        List<EvaluationStore.NewItem> items = new ArrayList<>();
        if (instructions.has("seedSet")) {
            String set = instructions.get("seedSet").asString("");
            if (set.isBlank() || !seedSets.exists(set)) {
                throw new InvalidRequestException("unknown seed set '" + set + "'");
            }
            source = "seedSet:" + set;
            for (SeedTaskLine task : seedSets.tasks(set)) {
                if (items.size() == limit) {
                    break;
                }
                String input =
                        task.instances().isEmpty() || task.instances().get(0).input() == null
                                ? ""
                                : task.instances().get(0).input();
                items.add(new EvaluationStore.NewItem(
                        "seed:" + set + ":" + task.id(),
                        task.instruction(),
                        input,
                        JudgePrompts.languageOf(task.instruction()),
                        task.isClassification()));
            }
        } else if (instructions.has("heldOutOfJob")) {
            JsonNode job = instructions.get("heldOutOfJob");
            if (!job.isIntegralNumber() || !job.canConvertToLong()) {
                throw new InvalidRequestException("instructions.heldOutOfJob must be a fine-tune job's id");
            }
            long jobId = job.asLong();
            source = "heldOutOfJob:" + jobId;
            for (HeldOutExample held : fineTunes.heldOut(jobId)) {
                if (items.size() == limit) {
                    break;
                }
                String instruction = held.example().instruction();
                items.add(new EvaluationStore.NewItem(
                        "job:" + jobId + (held.fromPool() ? ":instance:" : ":record:") + held.id(),
                        instruction,
                        held.example().input(),
                        JudgePrompts.languageOf(instruction),
                        null));
            }
        } else {
            PoolFilter filter = poolFilter(instructions);
            source = "pool:" + json.writeValueAsString(instructions);
            for (PoolExamples.FirstInstance i : pool.firstInstances(filter, limit)) {
                items.add(new EvaluationStore.NewItem(
                        "instruction:" + i.instructionId(), i.text(), i.input(), i.language(), i.classification()));
            }
        }
        if (items.isEmpty()) {
            throw new InvalidRequestException("the instructions select nothing to evaluate");
        }
        EvaluationConfig config =
                new EvaluationConfig(a, b, judge, source, limit, maxCostUsd, concurrency, temperature, maxTokens);
        EvaluationConfig.ApiKeys apiKeys = new EvaluationConfig.ApiKeys(keys[0], keys[1], keys[2]);
        long id = store.create(
                json.writeValueAsString(config),
                json.writeValueAsString(
                        Map.of("a", nz(apiKeys.a()), "b", nz(apiKeys.b()), "judge", nz(apiKeys.judge()))),
                items);
        return view(id);
    }

    public EvaluationView view(long id) {
        return view(store.find(id).orElseThrow(() -> new NotFoundException("evaluation", id)));
    }

    public List<EvaluationView> list() {
        return store.list().stream().map(this::view).toList();
    }

    /**
     * Queues a paused evaluation again, where it stopped: stored answers and verdicts stand. A budget that stopped
     * it must be raised ({@code maxCostUsd} above what was spent) or lifted ({@code "maxCostUsd": null}).
     */
    public EvaluationView resume(long id, JsonNode request) {
        EvaluationView current = view(id);
        if (current.status() != EvaluationStatus.PAUSED) {
            throw new ConflictException("evaluation " + id + " is " + current.status() + "; only a PAUSED one resumes");
        }
        EvaluationConfig config = config(store.find(id).orElseThrow());
        Double max = config.maxCostUsd();
        if (request != null && request.isObject() && request.has("maxCostUsd")) {
            max = number(request, "maxCostUsd", null, 0, Double.MAX_VALUE);
        } else if (request != null && !request.isNull() && !request.isMissingNode() && !request.isObject()) {
            throw new InvalidRequestException("the body must be a JSON object, e.g. {\"maxCostUsd\": 5}");
        }
        double spent = usage.ofRequestKeyPrefix(EvaluationRun.keyPrefix(id)).costUsd();
        if (max != null && max <= spent) {
            throw new InvalidRequestException(String.format(
                    java.util.Locale.ROOT,
                    "maxCostUsd %.4f is not above the %.4f USD already spent; give a higher maxCostUsd, or null "
                            + "for no budget",
                    max,
                    spent));
        }
        if (!store.resume(id, json.writeValueAsString(config.withMaxCostUsd(max)))) {
            throw new ConflictException("evaluation " + id + " is no longer PAUSED");
        }
        return view(id);
    }

    public EvaluationView cancel(long id) {
        view(id);
        store.cancel(id);
        return view(id);
    }

    public List<EvaluationItem> items(long id, int page, int size) {
        view(id);
        if (page < 0 || size < 1 || size > 500) {
            throw new InvalidRequestException("page must be >= 0 and size 1 to 500");
        }
        return store.items(id, page * size, size);
    }

    /** Every item as one JSON object a line, in order. */
    public void writeJsonl(long id, OutputStream out) throws IOException {
        view(id);
        int page = 0;
        List<EvaluationItem> items;
        do {
            items = store.items(id, page++ * 500, 500);
            for (EvaluationItem item : items) {
                out.write(json.writeValueAsBytes(item));
                out.write('\n');
            }
        } while (items.size() == 500);
        out.flush();
    }

    EvaluationConfig config(EvaluationStore.Row row) {
        return json.readValue(row.configJson(), EvaluationConfig.class);
    }

    EvaluationConfig.ApiKeys apiKeys(EvaluationStore.Row row) {
        if (row.apiKeysJson() == null) {
            return new EvaluationConfig.ApiKeys(null, null, null);
        }
        JsonNode keys = json.readTree(row.apiKeysJson());
        return new EvaluationConfig.ApiKeys(
                blankToNull(keys.path("a").asString("")),
                blankToNull(keys.path("b").asString("")),
                blankToNull(keys.path("judge").asString("")));
    }

    private EvaluationView view(EvaluationStore.Row row) {
        EvaluationConfig config = config(row);
        int[] all = new int[3];
        int[] classification = new int[3];
        int[] generation = new int[3];
        for (Map<String, Object> r : store.outcomes(row.id())) {
            int i = Verdict.Outcome.valueOf((String) r.get("OUTCOME")).ordinal();
            int n = ((Number) r.get("N")).intValue();
            all[i] += n;
            (Boolean.TRUE.equals(r.get("CLASSIFICATION")) ? classification : generation)[i] += n;
        }
        Map<String, Summary> byTask = new LinkedHashMap<>();
        byTask.put("classification", Summary.of(classification[0], classification[1], classification[2]));
        byTask.put("generation", Summary.of(generation[0], generation[1], generation[2]));
        return new EvaluationView(
                row.id(),
                row.status(),
                row.statusReason(),
                row.error(),
                config.a().view(),
                config.b().view(),
                config.judge().view(),
                config.source(),
                config.maxCostUsd(),
                Map.of("done", all[0] + all[1] + all[2], "total", row.total()),
                usage.ofRequestKeyPrefix(EvaluationRun.keyPrefix(row.id())).costUsd(),
                Summary.of(all[0], all[1], all[2]),
                byTask,
                row.createdAt(),
                row.startedAt(),
                row.finishedAt());
    }

    /** A served model's name, or {"baseUrl", "model", "apiKey"?}; baseUrl "self" is the service's own /v1. */
    private ModelRef model(JsonNode node, String field, String[] keys, int slot) {
        if (node == null || node.isNull()) {
            throw new InvalidRequestException(field + " must be set");
        }
        if (node.isString()) {
            String name = node.asString().strip();
            if (name.isEmpty()) {
                throw new InvalidRequestException(field + " must name a model");
            }
            return new ModelRef(SelfEndpoint.SELF, name, true);
        }
        if (!node.isObject()) {
            throw new InvalidRequestException(field + " must be a served model's name or {\"baseUrl\", \"model\"}");
        }
        for (String f : node.propertyNames()) {
            if (!List.of("baseUrl", "model", "apiKey").contains(f)) {
                throw new InvalidRequestException(field + ": unknown field '" + f + "'");
            }
        }
        String model = node.path("model").asString("").strip();
        String baseUrl = node.path("baseUrl").asString("").strip();
        if (model.isEmpty()) {
            throw new InvalidRequestException(field + ".model must be set");
        }
        if (baseUrl.isEmpty()) {
            throw new InvalidRequestException(
                    field + ".baseUrl must be set (or \"self\" for the service's own models)");
        }
        keys[slot] = blankToNull(node.path("apiKey").asString(""));
        if (self.isSelf(baseUrl)) {
            keys[slot] = null;
            return new ModelRef(SelfEndpoint.SELF, model, true);
        }
        outboundHosts.check(baseUrl);
        return new ModelRef(trimSlash(baseUrl), model, false);
    }

    /**
     * A pool filter with the export API's fields ({@code status}, {@code origin}, {@code batchId},
     * {@code classification}, {@code from}, {@code to}, {@code language}, and {@code q}); {@code status} is ACCEPTED
     * unless given.
     */
    private static PoolFilter poolFilter(JsonNode f) {
        for (String field : f.propertyNames()) {
            if (!List.of("q", "status", "origin", "batchId", "classification", "from", "to", "language")
                    .contains(field)) {
                throw new InvalidRequestException("instructions: unknown field '" + field
                        + "' (use seedSet, heldOutOfJob or the pool filter's q, status, origin, batchId, "
                        + "classification, from, to, language)");
            }
        }
        JsonNode batchId = f.get("batchId");
        if (batchId != null && !batchId.isNull() && !batchId.isIntegralNumber()) {
            throw new InvalidRequestException("instructions.batchId must be a number");
        }
        return new PoolFilter(
                text(f, "q"),
                PoolFilter.parseStatus(f.has("status") ? text(f, "status") : "ACCEPTED"),
                PoolFilter.parseOrigins(text(f, "origin")),
                batchId == null || batchId.isNull() ? null : batchId.asLong(),
                PoolFilter.parseBoolean("classification", text(f, "classification")),
                PoolFilter.parseInstant("from", text(f, "from"), false),
                PoolFilter.parseInstant("to", text(f, "to"), true),
                text(f, "language"));
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asString();
    }

    private static int integer(JsonNode request, String field, int fallback, int min, int max) {
        JsonNode v = request.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
            throw new InvalidRequestException(field + " must be a whole number from " + min + " to " + max);
        }
        return v.asInt();
    }

    private static Double number(JsonNode request, String field, Double fallback, double min, double max) {
        JsonNode v = request.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber() || v.asDouble() < min || v.asDouble() > max) {
            throw new InvalidRequestException(field + " must be a number from " + min + " to " + max);
        }
        return v.asDouble();
    }

    private static String trimSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
