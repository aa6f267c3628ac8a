package io.selfinstruct.finetune.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import io.selfinstruct.finetune.data.TokenizedExample;
import io.selfinstruct.llama.LlamaModel;
import io.selfinstruct.llama.NextTokenLoss;
import java.util.List;

/**
 * Loss and next-token accuracy on held-out examples, weighted by target tokens: {@code loss} is the mean
 * cross-entropy over every counted target, {@code accuracy} the share of them that are the argmax prediction.
 */
public record Evaluation(double loss, double accuracy, long targets) {

    public static Evaluation of(LlamaModel model, List<TokenizedExample> examples, int batchSize) {
        double lossSum = 0;
        long correct = 0;
        long targets = 0;
        for (int start = 0; start < examples.size(); start += batchSize) {
            List<TokenizedExample> batch = examples.subList(start, Math.min(examples.size(), start + batchSize));
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDList inputs = MicroBatch.collate(batch, model.manager());
                NDArray logits = model.forward(inputs.get(0), inputs.get(1));
                NDArray labels = inputs.get(2);
                NDArray counts = NextTokenLoss.targetCounts(labels);
                NDArray perSequence = NextTokenLoss.perSequence(logits, labels);
                float[] c = counts.toFloatArray();
                float[] l = perSequence.toFloatArray();
                for (int i = 0; i < c.length; i++) {
                    if (c[i] > 0) {
                        lossSum += l[i] * c[i];
                        targets += (long) c[i];
                    }
                }
                NDArray predicted = logits.get(":, :-1, :").argMax(2);
                NDArray target = labels.get(":, 1:");
                NDArray hit = predicted.eq(target).logicalAnd(target.neq(NextTokenLoss.IGNORE_INDEX));
                correct += hit.toType(DataType.INT64, false).sum().getLong();
            }
        }
        return targets == 0
                ? new Evaluation(Double.NaN, Double.NaN, 0)
                : new Evaluation(lossSum / targets, (double) correct / targets, targets);
    }
}
