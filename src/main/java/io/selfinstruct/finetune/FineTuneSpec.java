package io.selfinstruct.finetune;

import io.selfinstruct.finetune.data.Example;
import io.selfinstruct.finetune.data.PromptFormat;
import io.selfinstruct.finetune.train.TrainingOptions;
import io.selfinstruct.llama.DeviceChoice;
import io.selfinstruct.lora.LoraConfig;
import io.selfinstruct.models.SequenceOptions;
import io.selfinstruct.pool.PoolFilter;
import java.nio.file.Path;
import java.util.List;

/**
 * A validated fine-tune job: every field resolved, defaults applied (see {@link FineTuneRequest}).
 *
 * @param dataFile an alpaca file to train on instead of the pool, or null
 * @param lora the adapter's settings (LORA only)
 * @param trainableLayers the last N layers tuned (FREEZE only)
 * @param samplePrompts fixed prompts generated from at sample steps; empty: the first two examples
 * @param sampleSequences sequence bias, bad words and suppression for the samples (greedy)
 */
public record FineTuneSpec(
        Path baseModel,
        TuningMethod method,
        PoolFilter data,
        Path dataFile,
        PromptFormat template,
        LoraConfig lora,
        int trainableLayers,
        TrainingOptions training,
        int cutoffLen,
        int maxPromptLen,
        int maxResponseLen,
        boolean trainOnInputs,
        boolean packing,
        int valSetSize,
        List<Example> samplePrompts,
        int sampleMaxNewTokens,
        SequenceOptions.Resolved sampleSequences,
        boolean mergeModel,
        DeviceChoice device) {}
