package io.selfinstruct.finetune.train;

/**
 * One optimizer step as reported: training loss (the step's loss under its {@link LossNormalization}: the mean
 * over the step's trained tokens by default, else the mean of the micro-batch means), learning rate used,
 * global gradient norm before clipping, throughput, and the validation figures when they were computed.
 */
public record StepMetrics(
        int step,
        double loss,
        Double evalLoss,
        Double evalAccuracy,
        double lr,
        double gradNorm,
        double tokensPerSecond) {}
