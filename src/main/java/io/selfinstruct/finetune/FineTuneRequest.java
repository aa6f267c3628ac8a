package io.selfinstruct.finetune;

import com.fasterxml.jackson.annotation.JsonFormat;
import io.selfinstruct.finetune.data.Example;
import io.selfinstruct.finetune.data.PromptFormat;
import io.selfinstruct.finetune.train.LossNormalization;
import io.selfinstruct.finetune.train.TrainingOptions;
import io.selfinstruct.llama.ChatTemplate;
import io.selfinstruct.llama.DeviceChoice;
import io.selfinstruct.llama.ModelConfig;
import io.selfinstruct.llama.ModelLoadException;
import io.selfinstruct.llama.ModelTokenizer;
import io.selfinstruct.llama.safetensors.Checkpoint;
import io.selfinstruct.lora.LoraConfig;
import io.selfinstruct.lora.PeftAdapter;
import io.selfinstruct.models.ModelRoots;
import io.selfinstruct.models.SequenceOptions;
import io.selfinstruct.pool.InstructionStatus;
import io.selfinstruct.pool.Origin;
import io.selfinstruct.pool.PoolFilter;
import io.selfinstruct.problem.InvalidRequestException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The body of {@code POST /api/finetune-jobs}, every field optional but {@code baseModel}. Defaults follow
 * alpaca-lora's {@code finetune.py} (r 8, alpha 16, dropout 0.05 on q_proj/v_proj, 3 epochs, lr 3e-4,
 * micro-batch 4, batch 128, cutoff 256) with transformers' clipping at 1.0 and 3% warmup; a step's loss is its
 * summed token loss over its trained tokens ({@code lossNormalization} tokens, as transformers from 4.46).
 */
public record FineTuneRequest(
        String baseModel,
        String method,
        DataFilter data,
        String dataFile,
        String template,
        LoraRequest lora,
        Integer trainableLayers,
        Integer epochs,
        Integer maxSteps,
        Double learningRate,
        Double weightDecay,
        Integer warmupSteps,
        Integer microBatchSize,
        Integer batchSize,
        Double maxGradNorm,
        Integer cutoffLen,
        Integer maxPromptLen,
        Integer maxResponseLen,
        Boolean trainOnInputs,
        Boolean packing,
        Integer valSetSize,
        Integer evalSteps,
        Integer sampleSteps,
        List<SamplePrompt> samplePrompts,
        Integer sampleMaxNewTokens,
        SequenceOptions sampleSequences,
        Integer saveSteps,
        Integer saveTotalLimit,
        Long seed,
        String device,
        Boolean mergeModel,
        String lossNormalization) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public static final List<String> PROJECTIONS =
            List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    /**
     * The export filters choosing pool items: instruction status (default ACCEPTED), origin (any by default),
     * batch, classification flag and language. Only accepted instances of the chosen instructions are used.
     */
    public record DataFilter(String status, String origin, Long batchId, Boolean classification, String language) {

        PoolFilter toFilter() {
            InstructionStatus chosen = field("data.status", () -> PoolFilter.parseStatus(status));
            Set<Origin> origins = field("data.origin", () -> PoolFilter.parseOrigins(origin));
            return new PoolFilter(
                    null,
                    chosen == null ? InstructionStatus.ACCEPTED : chosen,
                    origins,
                    batchId,
                    classification,
                    null,
                    null,
                    language);
        }
    }

    /**
     * @param targetModules projection names, or {@code "all-linear"} (PEFT's shorthand: all seven projections)
     * @param modulesToSave {@code lm_head} and/or {@code embed_tokens}, trained in full beside the adapter
     */
    public record LoraRequest(
            Integer r,
            Double alpha,
            Double dropout,

            @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            List<String> targetModules,

            Boolean rsLora,
            List<String> modulesToSave) {}

    public record SamplePrompt(String instruction, String input) {}

    /** This request with {@code dataFile} set to a file the service stored from an upload. */
    FineTuneRequest withUploadedFile(Path file) {
        ObjectNode fields = JSON.valueToTree(this);
        fields.put("dataFile", file.toString());
        return JSON.treeToValue(fields, FineTuneRequest.class);
    }

    /**
     * Checks every field and fills the defaults; a 400 naming the field otherwise. {@code dataFile} must lie under
     * the model roots or be an upload the service stored itself (under {@code uploads}).
     */
    public FineTuneSpec toSpec(ModelRoots roots, Path uploads) {
        Path base = roots.resolve(baseModel, "baseModel");
        ModelConfig config;
        try {
            config = ModelConfig.read(base);
        } catch (ModelLoadException e) {
            throw new InvalidRequestException("baseModel " + baseModel + " is not a loadable model: " + e.getMessage());
        }
        TuningMethod tuning = switch (method == null ? "lora" : method.strip().toLowerCase(Locale.ROOT)) {
            case "lora" -> TuningMethod.LORA;
            case "freeze" -> TuningMethod.FREEZE;
            default -> throw new InvalidRequestException("method must be lora or freeze, not " + method);
        };
        if (data != null && dataFile != null) {
            throw new InvalidRequestException("give data (pool filters) or a data file, not both");
        }
        PoolFilter selection = data == null ? PoolFilter.accepted() : data.toFilter();
        Path file = null;
        if (dataFile != null) {
            Path given = Path.of(dataFile).toAbsolutePath().normalize();
            file = uploads != null
                            && given.startsWith(uploads.toAbsolutePath().normalize())
                            && Files.isRegularFile(given)
                    ? given
                    : resolveFile(roots, dataFile);
        }
        PromptFormat format;
        try {
            format = PromptFormat.parse(template);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage());
        }
        if (format == PromptFormat.CHAT && !hasChatTemplate(base)) {
            throw new InvalidRequestException(
                    "template chat needs the model's chat template (chat_template.jinja, chat_template.json or"
                            + " tokenizer_config.json's chat_template)");
        }

        long runSeed = seed == null ? 42 : seed;
        LoraConfig loraConfig = tuning == TuningMethod.LORA ? loraConfig(base, config) : null;
        int layers = or(trainableLayers, Math.min(2, config.numHiddenLayers()));
        if (tuning == TuningMethod.FREEZE && (layers < 1 || layers > config.numHiddenLayers())) {
            throw new InvalidRequestException("trainableLayers must be between 1 and " + config.numHiddenLayers());
        }

        int micro = positive(or(microBatchSize, 4), "microBatchSize");
        int batch = positive(or(batchSize, 128), "batchSize");
        if (batch % micro != 0) {
            throw new InvalidRequestException("batchSize " + batch + " must be a multiple of microBatchSize " + micro);
        }
        double lr = or(learningRate, 3e-4);
        if (!(lr > 0 && lr <= 1)) {
            throw new InvalidRequestException("learningRate must be in (0, 1]");
        }
        double decay = or(weightDecay, 0.0);
        double clip = or(maxGradNorm, 1.0);
        if (decay < 0 || clip < 0) {
            throw new InvalidRequestException("weightDecay and maxGradNorm must not be negative");
        }
        int cutoff = or(cutoffLen, 256);
        if (cutoff < 8 || cutoff > config.maxPositionEmbeddings()) {
            throw new InvalidRequestException("cutoffLen must be between 8 and the model's max_position_embeddings "
                    + config.maxPositionEmbeddings());
        }
        TrainingOptions training = new TrainingOptions(
                positive(or(epochs, 3), "epochs"),
                notNegative(or(maxSteps, 0), "maxSteps"),
                lr,
                decay,
                or(warmupSteps, -1),
                batch,
                micro,
                clip,
                runSeed,
                notNegative(or(evalSteps, 200), "evalSteps"),
                notNegative(or(sampleSteps, 200), "sampleSteps"),
                notNegative(or(saveSteps, 200), "saveSteps"),
                positive(or(saveTotalLimit, 3), "saveTotalLimit"),
                normalization());
        if (warmupSteps != null && warmupSteps < 0) {
            throw new InvalidRequestException("warmupSteps must not be negative");
        }
        List<Example> prompts = samplePrompts == null
                ? List.of()
                : samplePrompts.stream()
                        .map(p -> {
                            if (p == null
                                    || p.instruction() == null
                                    || p.instruction().isBlank()) {
                                throw new InvalidRequestException("every sample prompt needs an instruction");
                            }
                            return new Example(p.instruction(), p.input(), "");
                        })
                        .toList();
        DeviceChoice deviceChoice;
        try {
            deviceChoice = DeviceChoice.valueOf(
                    (device == null ? "auto" : device).strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("device must be auto, cpu or gpu, not " + device);
        }
        return new FineTuneSpec(
                base,
                tuning,
                selection,
                file,
                format,
                loraConfig,
                layers,
                training,
                cutoff,
                positive(or(maxPromptLen, cutoff), "maxPromptLen"),
                positive(or(maxResponseLen, cutoff), "maxResponseLen"),
                or(trainOnInputs, true),
                or(packing, false),
                notNegative(or(valSetSize, 0), "valSetSize"),
                prompts,
                positive(or(sampleMaxNewTokens, 64), "sampleMaxNewTokens"),
                sampleSequences(base, config),
                or(mergeModel, false),
                deviceChoice);
    }

    private LossNormalization normalization() {
        return lossNormalization == null
                ? LossNormalization.TOKENS
                : LossNormalization.parse(lossNormalization)
                        .orElseThrow(() -> new InvalidRequestException(
                                "lossNormalization must be tokens or microBatchMean, not " + lossNormalization));
    }

    /**
     * Any rank from 1 up is a valid LoRA (vLLM serves an adapter up to its {@code --max-lora-rank}, so that is the
     * server's setting, not a reason to refuse 4 or 12 here).
     */
    private LoraConfig loraConfig(Path base, ModelConfig config) {
        LoraRequest l = lora == null ? new LoraRequest(null, null, null, null, null, null) : lora;
        int r = or(l.r(), 8);
        if (r < 1) {
            throw new InvalidRequestException("lora.r must be at least 1, not " + r);
        }
        double alpha = or(l.alpha(), 16.0);
        double dropout = or(l.dropout(), 0.05);
        if (alpha <= 0) {
            throw new InvalidRequestException("lora.alpha must be positive");
        }
        if (dropout < 0 || dropout >= 1) {
            throw new InvalidRequestException("lora.dropout must be in [0, 1)");
        }
        List<String> targets = l.targetModules() == null ? List.of("q_proj", "v_proj") : List.copyOf(l.targetModules());
        if (targets.equals(List.of(LoraConfig.ALL_LINEAR))) {
            targets = PROJECTIONS; // as PEFT expands the shorthand before it saves the config
        }
        if (targets.isEmpty()
                || !PROJECTIONS.containsAll(targets)
                || Set.copyOf(targets).size() != targets.size()) {
            throw new InvalidRequestException(
                    "lora.targetModules must be \"all-linear\" or distinct names out of " + PROJECTIONS);
        }
        List<String> saved = l.modulesToSave() == null ? List.of() : List.copyOf(l.modulesToSave());
        if (!LoraConfig.SAVABLE_MODULES.containsAll(saved) || Set.copyOf(saved).size() != saved.size()) {
            throw new InvalidRequestException(
                    "lora.modulesToSave must be distinct names out of " + LoraConfig.SAVABLE_MODULES);
        }
        if (!saved.isEmpty() && config.tieWordEmbeddings() && !hasLmHead(base)) {
            throw new InvalidRequestException("lora.modulesToSave is not supported for a model with tied word"
                    + " embeddings (tie_word_embeddings): its lm_head is its embed_tokens");
        }
        return new LoraConfig(
                r, alpha, dropout, targets, null, or(l.rsLora(), false), PeftAdapter.baseModelName(base), saved);
    }

    private static boolean hasLmHead(Path base) {
        try (Checkpoint checkpoint = Checkpoint.open(base)) {
            return checkpoint.contains("lm_head.weight");
        } catch (ModelLoadException e) {
            return false;
        }
    }

    /** The samples' sequence options, checked against the base model (its tokenizer loaded only for texts). */
    private SequenceOptions.Resolved sampleSequences(Path base, ModelConfig config) {
        SequenceOptions options = or(sampleSequences, SequenceOptions.NONE);
        try (ModelTokenizer tokenizer = options.needsTokenizer() ? ModelTokenizer.load(base) : null) {
            return field("sampleSequences", () -> options.resolve(tokenizer, config.vocabSize()));
        } catch (ModelLoadException e) {
            throw new InvalidRequestException("sampleSequences: the base model's tokenizer: " + e.getMessage());
        }
    }

    private static Path resolveFile(ModelRoots roots, String file) {
        Path path = Path.of(file).toAbsolutePath().normalize();
        if (!Files.isRegularFile(path)) {
            throw new InvalidRequestException("dataFile " + file + " is not a file");
        }
        Path directory = roots.resolve(path.getParent().toString(), "dataFile");
        return directory.resolve(path.getFileName());
    }

    /** Where the model's chat template is looked for is the renderer's business: ChatTemplate.read. */
    private static boolean hasChatTemplate(Path base) {
        try {
            return ChatTemplate.read(base).isPresent();
        } catch (ModelLoadException e) {
            return false;
        }
    }

    /** Parses one field, naming it in the 400. */
    private static <T> T field(String name, java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (InvalidRequestException e) {
            throw new InvalidRequestException(name + ": " + e.getMessage());
        }
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }

    private static int positive(int value, String field) {
        if (value < 1) {
            throw new InvalidRequestException(field + " must be at least 1");
        }
        return value;
    }

    private static int notNegative(int value, String field) {
        if (value < 0) {
            throw new InvalidRequestException(field + " must not be negative");
        }
        return value;
    }
}
