package io.selfinstruct.finetune;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.selfinstruct.finetune.data.Example;
import io.selfinstruct.finetune.data.ExampleEncoder;
import io.selfinstruct.finetune.data.TokenizedExample;
import io.selfinstruct.finetune.data.TrainingSet;
import io.selfinstruct.finetune.train.Evaluation;
import io.selfinstruct.finetune.train.LastLayersTuning;
import io.selfinstruct.finetune.train.StepMetrics;
import io.selfinstruct.finetune.train.TrainableWeights;
import io.selfinstruct.finetune.train.Trainer;
import io.selfinstruct.finetune.train.TrainingCheckpoints;
import io.selfinstruct.llama.DeviceChoice;
import io.selfinstruct.llama.EosTokens;
import io.selfinstruct.llama.LlamaLoader;
import io.selfinstruct.llama.LlamaModel;
import io.selfinstruct.llama.ModelConfig;
import io.selfinstruct.llama.ModelTokenizer;
import io.selfinstruct.llama.safetensors.CheckpointWriter;
import io.selfinstruct.llama.sampling.GenerationOptions;
import io.selfinstruct.llama.sampling.Generator;
import io.selfinstruct.lora.LoraInjection;
import io.selfinstruct.lora.LoraLinear;
import io.selfinstruct.lora.MergedModelExport;
import io.selfinstruct.lora.ModulesToSave;
import io.selfinstruct.lora.PeftAdapter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One fine-tune job from its spec to its output, the recipe wiring the components: load the base model, wrap it
 * (LoRA) or unfreeze its last layers, encode and split the examples, train (resuming from the job's last
 * checkpoint), then write {@code adapter/} (PEFT layout) and optionally {@code merged/}, or {@code model/} for
 * last-layers tuning, under the job directory.
 */
public final class FineTuneRun {

    public static final String ADAPTER_DIR = "adapter";
    public static final String MERGED_DIR = "merged";
    public static final String MODEL_DIR = "model";
    public static final String CHECKPOINTS_DIR = "checkpoints";

    /** A generation from one of the fixed prompts at a sample step. */
    public record Sample(int step, String instruction, String input, String output) {}

    public interface Listener {
        void onStart(int totalSteps, int resumedFrom, int trainExamples, int validationExamples);

        void onStep(StepMetrics metrics, int totalSteps);

        void onSamples(List<Sample> samples);

        boolean stopRequested();
    }

    /** @param outputDir the adapter directory (LoRA) or full model directory (last-layers tuning) */
    public record Result(boolean cancelled, int step, Path outputDir, Evaluation finalEvaluation) {}

    private FineTuneRun() {}

    public static Result execute(
            FineTuneSpec spec, List<Example> examples, Path jobDir, boolean halfOnGpu, Listener listener) {
        Device device = spec.device().resolve();
        DataType weightType =
                spec.method() == TuningMethod.LORA ? DeviceChoice.weightType(device, halfOnGpu) : DataType.FLOAT32;
        try (LlamaModel model = LlamaLoader.load(spec.baseModel(), device, weightType);
                ModelTokenizer tokenizer = ModelTokenizer.load(spec.baseModel())) {
            Map<String, LoraLinear> lora = Map.of();
            Map<String, NDArray> savedModules = Map.of();
            TrainableWeights weights;
            if (spec.method() == TuningMethod.LORA) {
                lora = LoraInjection.inject(model, spec.lora(), spec.training().seed());
                savedModules = ModulesToSave.wrap(model, spec.lora().modulesToSave());
                weights = adapterWeights(lora, savedModules);
            } else {
                weights = LastLayersTuning.select(model, spec.trainableLayers());
            }
            List<Long> eosIds = EosTokens.of(spec.baseModel(), model.config(), tokenizer);
            Long eos = eosIds.isEmpty() ? null : eosIds.get(0);
            TrainingSet data = encode(spec, examples, tokenizer, eos);
            List<Example> prompts = spec.samplePrompts().isEmpty()
                    ? examples.subList(0, Math.min(2, examples.size()))
                    : spec.samplePrompts();

            Trainer trainer = new Trainer(
                    model,
                    weights,
                    lora.values(),
                    data,
                    spec.training(),
                    new TrainingCheckpoints(
                            jobDir.resolve(CHECKPOINTS_DIR), spec.training().saveTotalLimit()));
            Generator generator = new Generator(model, tokenizer::decode);
            GenerationOptions greedy = spec.sampleSequences()
                    .applyTo(GenerationOptions.builder(spec.sampleMaxNewTokens()))
                    .eosTokenIds(Set.copyOf(eosIds))
                    .build();
            int resumedFrom = trainer.resume();
            listener.onStart(
                    trainer.totalSteps(),
                    resumedFrom,
                    data.train().size(),
                    data.validation().size());
            Trainer.Outcome outcome = trainer.train(new Trainer.Progress() {
                @Override
                public void onStep(StepMetrics metrics, int totalSteps) {
                    listener.onStep(metrics, totalSteps);
                }

                @Override
                public void onSamples(int step) {
                    List<Sample> samples = new ArrayList<>();
                    for (Example prompt : prompts) {
                        long[] ids = spec.template().promptIds(tokenizer, prompt.instruction(), prompt.input());
                        samples.add(new Sample(
                                step,
                                prompt.instruction(),
                                prompt.input(),
                                generator.generate(ids, greedy).text()));
                    }
                    listener.onSamples(samples);
                }

                @Override
                public void onCheckpoint(int step) {}

                @Override
                public boolean stopRequested() {
                    return listener.stopRequested();
                }
            });
            if (outcome.stopped()) {
                return new Result(true, outcome.step(), null, null);
            }
            Evaluation evaluation = data.validation().isEmpty() ? null : trainer.evaluate();
            Path output;
            if (spec.method() == TuningMethod.LORA) {
                output = jobDir.resolve(ADAPTER_DIR);
                PeftAdapter.save(output, spec.lora(), lora, savedModules);
                if (spec.mergeModel()) {
                    MergedModelExport.write(
                            spec.baseModel(),
                            jobDir.resolve(MERGED_DIR),
                            lora,
                            ModulesToSave.byWeightName(savedModules),
                            CheckpointWriter.DEFAULT_MAX_SHARD_BYTES);
                }
            } else {
                output = jobDir.resolve(MODEL_DIR);
                MergedModelExport.write(
                        spec.baseModel(), output, Map.of(), weights.byName(), CheckpointWriter.DEFAULT_MAX_SHARD_BYTES);
            }
            return new Result(false, outcome.step(), output, evaluation);
        }
    }

    /** LoRA's trainable tensors under PEFT's names, A before B per module. */
    public static TrainableWeights adapterWeights(Map<String, LoraLinear> lora) {
        return adapterWeights(lora, Map.of());
    }

    /** The same, then the modules trained in full (modules_to_save) under PEFT's names. */
    public static TrainableWeights adapterWeights(Map<String, LoraLinear> lora, Map<String, NDArray> savedModules) {
        Map<String, NDArray> named = new LinkedHashMap<>();
        lora.forEach((path, layer) -> {
            named.put("base_model.model." + path + ".lora_A.weight", layer.loraA());
            named.put("base_model.model." + path + ".lora_B.weight", layer.loraB());
        });
        savedModules.forEach((module, weight) -> named.put(ModulesToSave.adapterName(module), weight));
        return new TrainableWeights(named);
    }

    /**
     * The positions in {@code examples} of the ones the run holds out for validation: the examples the encoder
     * keeps, shuffled with the job's seed as {@link TrainingSet#split} shuffles them (the permutation depends only on
     * the seed and the number of examples), the first {@code valSetSize}. Reads the tokenizer, not the weights.
     */
    public static List<Integer> heldOut(FineTuneSpec spec, List<Example> examples) {
        try (ModelTokenizer tokenizer = ModelTokenizer.load(spec.baseModel())) {
            List<Long> eosIds = EosTokens.of(spec.baseModel(), ModelConfig.read(spec.baseModel()), tokenizer);
            ExampleEncoder encoder = encoder(spec, tokenizer, eosIds.isEmpty() ? null : eosIds.get(0));
            List<Integer> usable = new ArrayList<>();
            for (int i = 0; i < examples.size(); i++) {
                if (encoder.encode(examples.get(i)).isPresent()) {
                    usable.add(i);
                }
            }
            if (usable.size() <= spec.valSetSize()) {
                throw new IllegalArgumentException(usable.size() + " usable examples (of " + examples.size()
                        + ") leave none for training with valSetSize " + spec.valSetSize());
            }
            java.util.Collections.shuffle(
                    usable, new java.util.Random(spec.training().seed()));
            return List.copyOf(usable.subList(0, spec.valSetSize()));
        }
    }

    private static ExampleEncoder encoder(FineTuneSpec spec, ModelTokenizer tokenizer, Long eos) {
        return new ExampleEncoder(
                tokenizer,
                spec.template(),
                eos,
                spec.cutoffLen(),
                spec.maxPromptLen(),
                spec.maxResponseLen(),
                spec.trainOnInputs());
    }

    public static TrainingSet encode(FineTuneSpec spec, List<Example> examples, ModelTokenizer tokenizer, Long eos) {
        ExampleEncoder encoder = encoder(spec, tokenizer, eos);
        List<TokenizedExample> encoded = new ArrayList<>();
        for (Example example : examples) {
            encoder.encode(example).ifPresent(encoded::add);
        }
        if (encoded.size() <= spec.valSetSize()) {
            throw new IllegalArgumentException(encoded.size() + " usable examples (of " + examples.size()
                    + ") leave none for training with valSetSize " + spec.valSetSize());
        }
        return TrainingSet.split(encoded, spec.valSetSize(), spec.training().seed(), spec.packing(), spec.cutoffLen());
    }
}
