package io.selfinstruct.models;

import io.selfinstruct.llama.ModelConfig;
import io.selfinstruct.llama.ModelLoadException;
import io.selfinstruct.llama.sampling.Generation;
import io.selfinstruct.llama.sampling.GenerationOptions;
import io.selfinstruct.problem.InvalidRequestException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Scores text with, and samples from, any base model under the configured roots, with or without a PEFT
 * adapter: {@code POST /api/models/evaluate} and {@code POST /api/models/generate}.
 */
@RestController
@RequestMapping("/api/models")
public class ModelController {

    private final ModelRuntime runtime;
    private final ModelsProperties properties;
    private final ModelRoots roots;

    public ModelController(ModelRuntime runtime, ModelsProperties properties) {
        this.runtime = runtime;
        this.properties = properties;
        this.roots = new ModelRoots(properties.roots());
    }

    public record EvaluateRequest(String baseModel, String adapter, List<String> texts, List<List<Long>> inputIds) {}

    public record EvaluateResponse(List<ModelRuntime.SequenceScore> results) {}

    public record GenerateRequest(
            String baseModel,
            String adapter,
            String prompt,
            List<Long> inputIds,
            Integer maxNewTokens,
            Double temperature,
            Double topP,
            Integer topK,
            Double repetitionPenalty,
            List<String> stop,
            List<SequenceOptions.Biased> sequenceBias,
            List<SequenceOptions.Banned> badWords,
            List<SequenceOptions.Suppressed> suppress,
            Long seed) {}

    public record GenerateResponse(String text, List<Long> tokenIds) {}

    @PostMapping("/evaluate")
    public EvaluateResponse evaluate(@RequestBody EvaluateRequest request) {
        boolean hasTexts = request.texts() != null;
        if (hasTexts == (request.inputIds() != null)) {
            throw new InvalidRequestException("give exactly one of texts or inputIds");
        }
        int count = hasTexts ? request.texts().size() : request.inputIds().size();
        if (count == 0 || count > properties.maxTexts()) {
            throw new InvalidRequestException(
                    "between 1 and " + properties.maxTexts() + " sequences can be scored at once");
        }
        Path base = roots.resolve(request.baseModel(), "baseModel");
        Path adapter = request.adapter() == null ? null : roots.resolve(request.adapter(), "adapter");
        return loading(() -> runtime.withModel(base, adapter, model -> {
            List<long[]> sequences = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                long[] ids = hasTexts
                        ? model.tokenizer().encode(nonNull(request.texts().get(i), "texts[" + i + "]"))
                        : toArray(request.inputIds().get(i), "inputIds[" + i + "]");
                checkIds(ids, model.model().config(), "sequence " + i);
                if (ids.length < 2) {
                    throw new InvalidRequestException(
                            "sequence " + i + " has " + ids.length + " token(s); a next-token loss needs at least 2");
                }
                sequences.add(ids);
            }
            return new EvaluateResponse(ModelRuntime.evaluate(model.model(), sequences));
        }));
    }

    @PostMapping("/generate")
    public GenerateResponse generate(@RequestBody GenerateRequest request) {
        if ((request.prompt() != null) == (request.inputIds() != null)) {
            throw new InvalidRequestException("give exactly one of prompt or inputIds");
        }
        int maxNewTokens = request.maxNewTokens() == null ? 128 : request.maxNewTokens();
        if (maxNewTokens < 1 || maxNewTokens > properties.maxNewTokens()) {
            throw new InvalidRequestException("maxNewTokens must be between 1 and " + properties.maxNewTokens());
        }
        double temperature = request.temperature() == null ? 0 : request.temperature();
        double topP = request.topP() == null ? 1 : request.topP();
        int topK = request.topK() == null ? 0 : request.topK();
        double repetitionPenalty = request.repetitionPenalty() == null ? 1 : request.repetitionPenalty();
        if (temperature < 0 || !(topP > 0 && topP <= 1) || topK < 0 || !(repetitionPenalty > 0)) {
            throw new InvalidRequestException(
                    "temperature must be >= 0, topP in (0, 1], topK >= 0, repetitionPenalty > 0");
        }
        Path base = roots.resolve(request.baseModel(), "baseModel");
        Path adapter = request.adapter() == null ? null : roots.resolve(request.adapter(), "adapter");
        return loading(() -> runtime.withModel(base, adapter, model -> {
            long[] prompt = request.prompt() != null
                    ? model.tokenizer().encode(request.prompt())
                    : toArray(request.inputIds(), "inputIds");
            if (prompt.length == 0) {
                throw new InvalidRequestException("the prompt has no tokens");
            }
            ModelConfig config = model.model().config();
            checkIds(prompt, config, "the prompt");
            if (prompt.length + maxNewTokens > config.maxPositionEmbeddings()) {
                throw new InvalidRequestException("prompt (" + prompt.length + " tokens) plus maxNewTokens exceeds the"
                        + " model's max_position_embeddings " + config.maxPositionEmbeddings());
            }
            SequenceOptions.Resolved sequences = new SequenceOptions(
                            request.sequenceBias(), request.badWords(), request.suppress())
                    .resolve(model.tokenizer(), config.vocabSize());
            GenerationOptions options = sequences
                    .applyTo(GenerationOptions.builder(maxNewTokens))
                    .temperature(temperature)
                    .topP(topP)
                    .topK(topK)
                    .repetitionPenalty(repetitionPenalty)
                    .stopStrings(request.stop())
                    .eosTokenIds(model.eosTokenIds())
                    .seed(request.seed())
                    .build();
            Generation generation = ModelRuntime.generate(model, prompt, options);
            return new GenerateResponse(
                    generation.text(),
                    java.util.Arrays.stream(generation.tokenIds()).boxed().toList());
        }));
    }

    private static void checkIds(long[] ids, ModelConfig config, String what) {
        if (ids.length > config.maxPositionEmbeddings()) {
            throw new InvalidRequestException(
                    what + " has " + ids.length + " tokens; the model takes at most " + config.maxPositionEmbeddings());
        }
        for (long id : ids) {
            if (id < 0 || id >= config.vocabSize()) {
                throw new InvalidRequestException(
                        what + " holds token id " + id + " outside the vocabulary (size " + config.vocabSize() + ")");
            }
        }
    }

    private static long[] toArray(List<Long> ids, String field) {
        if (ids == null || ids.stream().anyMatch(java.util.Objects::isNull)) {
            throw new InvalidRequestException(field + " must be a list of token ids");
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    private static String nonNull(String text, String field) {
        if (text == null) {
            throw new InvalidRequestException(field + " is null");
        }
        return text;
    }

    /** A directory that passed the root check but does not hold a loadable model is still the caller's error. */
    private static <T> T loading(java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (ModelLoadException e) {
            throw new InvalidRequestException(e.getMessage());
        }
    }
}
