package io.selfinstruct.finetune.train;

/**
 * Hyper-parameters of one run.
 *
 * @param epochs passes over the training examples (ignored when maxSteps is set)
 * @param maxSteps optimizer steps to run instead of whole epochs; 0 for epochs
 * @param batchSize examples (packed rows with packing) per optimizer step; gradients of batchSize / microBatchSize
 *     micro-batches are summed
 * @param warmupSteps steps of linear warmup; negative for 3% of the run (transformers' usual warmup_ratio)
 * @param maxGradNorm clip the global gradient norm to this; 0 for no clipping
 * @param evalSteps every how many steps to compute validation loss and token accuracy (0: only at the end)
 * @param sampleSteps every how many steps to generate from the sample prompts (0: only at the end)
 * @param saveSteps every how many steps to checkpoint (0: never)
 * @param saveTotalLimit checkpoints kept (the newest)
 * @param lossNormalization how the micro-batches' token losses make the step's loss
 */
public record TrainingOptions(
        int epochs,
        int maxSteps,
        double learningRate,
        double weightDecay,
        int warmupSteps,
        int batchSize,
        int microBatchSize,
        double maxGradNorm,
        long seed,
        int evalSteps,
        int sampleSteps,
        int saveSteps,
        int saveTotalLimit,
        LossNormalization lossNormalization) {

    public static final double BETA1 = 0.9;
    public static final double BETA2 = 0.999;
    public static final double EPS = 1e-8;

    public int stepsPerEpoch(int trainExamples) {
        return (trainExamples + batchSize - 1) / batchSize;
    }

    public int warmupSteps(int totalSteps) {
        return warmupSteps >= 0 ? warmupSteps : (int) Math.ceil(0.03 * totalSteps);
    }

    public int totalSteps(int trainExamples) {
        return maxSteps > 0 ? maxSteps : epochs * stepsPerEpoch(trainExamples);
    }
}
