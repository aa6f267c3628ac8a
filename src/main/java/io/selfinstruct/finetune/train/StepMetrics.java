package io.selfinstruct.finetune.train;

/**
 * One optimizer step as reported: training loss (mean over the step's micro-batches), learning rate used,
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
