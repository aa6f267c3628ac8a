package io.selfinstruct.finetune.train;

/**
 * Linear warmup from 0 to the peak, then cosine decay to 0 at the last step: transformers'
 * {@code get_cosine_schedule_with_warmup}, evaluated at the 0-based optimizer step.
 */
public record LearningRateSchedule(double peak, int warmupSteps, int totalSteps) {

    public double at(int step) {
        if (step < warmupSteps) {
            return peak * step / Math.max(1, warmupSteps);
        }
        double progress = (double) (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        return peak * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
