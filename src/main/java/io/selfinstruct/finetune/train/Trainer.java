package io.selfinstruct.finetune.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.selfinstruct.finetune.data.TokenizedExample;
import io.selfinstruct.finetune.data.TrainingSet;
import io.selfinstruct.llama.LlamaModel;
import io.selfinstruct.llama.NextTokenLoss;
import io.selfinstruct.lora.LoraLinear;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;

/**
 * The training loop: micro-batches, forward, loss, backward (gradients summed over a step's micro-batches, the
 * loss normalised by the step's trained tokens or per micro-batch, see {@link LossNormalization}),
 * global-norm clipping, AdamW, the warmup-then-cosine schedule, evaluation, samples and checkpoints. Which
 * examples a step sees depends only on the seed and the step, and dropout is reseeded per step, so a run resumed
 * from a checkpoint continues exactly where the interrupted one would have gone.
 *
 * <p>DJL's PyTorch engine allows one open gradient collector per JVM, so one trainer runs at a time per process.
 */
public final class Trainer {

    /** What the loop reports to, and asks, whoever runs it. */
    public interface Progress {
        void onStep(StepMetrics metrics, int totalSteps);

        /** Called with dropout off, at sample steps; the caller generates from its fixed prompts. */
        void onSamples(int step);

        void onCheckpoint(int step);

        boolean stopRequested();
    }

    public record Outcome(int step, int totalSteps, boolean stopped) {}

    private final LlamaModel model;
    private final TrainableWeights weights;
    private final Collection<LoraLinear> loraLayers;
    private final TrainingSet data;
    private final TrainingOptions options;
    private final TrainingCheckpoints checkpoints;
    private final AdamW optimizer;
    private int resumedFrom;
    private int step;
    private int orderEpoch = -1;
    private int[] order;

    public Trainer(
            LlamaModel model,
            TrainableWeights weights,
            Collection<LoraLinear> loraLayers,
            TrainingSet data,
            TrainingOptions options,
            TrainingCheckpoints checkpoints) {
        this.model = model;
        this.weights = weights;
        this.loraLayers = List.copyOf(loraLayers);
        this.data = data;
        this.options = options;
        this.checkpoints = checkpoints;
        this.optimizer = new AdamW(
                weights, TrainingOptions.BETA1, TrainingOptions.BETA2, TrainingOptions.EPS, options.weightDecay());
    }

    public int totalSteps() {
        return options.totalSteps(data.train().size());
    }

    public Outcome train(Progress progress) {
        gradientsOffOnThisThread();
        int total = totalSteps();
        LearningRateSchedule schedule =
                new LearningRateSchedule(options.learningRate(), options.warmupSteps(total), total);
        while (step < total) {
            if (progress.stopRequested()) {
                return new Outcome(step, total, true);
            }
            long started = System.nanoTime();
            Engine.getInstance().setRandomSeed((int) (options.seed() * 31 + step));
            setTraining(true);
            List<List<TokenizedExample>> microBatches = microBatches(step);
            double loss = accumulate(microBatches);
            long tokens = microBatches.stream().mapToLong(MicroBatch::tokens).sum();
            double gradNorm = GradientClipping.clipByGlobalNorm(weights, options.maxGradNorm());
            double lr = schedule.at(step);
            optimizer.step(lr);
            weights.zeroGradients();
            step++;
            double seconds = (System.nanoTime() - started) / 1e9;
            setTraining(false);

            Evaluation eval =
                    due(step, options.evalSteps(), total) && !data.validation().isEmpty() ? evaluate() : null;
            progress.onStep(
                    new StepMetrics(
                            step,
                            loss,
                            eval == null ? null : eval.loss(),
                            eval == null ? null : eval.accuracy(),
                            lr,
                            gradNorm,
                            tokens / seconds),
                    total);
            if (due(step, options.sampleSteps(), total)) {
                progress.onSamples(step);
            }
            if (options.saveSteps() > 0 && step % options.saveSteps() == 0 && step < total) {
                checkpoints.save(step, weights, optimizer);
                progress.onCheckpoint(step);
            }
        }
        return new Outcome(step, total, false);
    }

    /**
     * Forward and backward of one optimizer step's micro-batches, their gradients summed into the weights; returns
     * the step's loss under the run's {@link LossNormalization}, the loss whose gradient that is.
     */
    public double accumulate(List<List<TokenizedExample>> microBatches) {
        long stepTargets = microBatches.stream().mapToLong(MicroBatch::targets).sum();
        double loss = 0;
        for (List<TokenizedExample> micro : microBatches) {
            double divisor =
                    options.lossNormalization().divisor(MicroBatch.targets(micro), stepTargets, microBatches.size());
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDList inputs = MicroBatch.collate(micro, model.manager());
                loss += backward(inputs.get(0), inputs.get(1), inputs.get(2), divisor);
            }
        }
        return loss;
    }

    /**
     * One micro-batch: forward, the summed next-token loss over its counted targets divided by {@code divisor},
     * backward of that; returns it.
     *
     * @param attentionMask (batch, seq) as {@link LlamaModel#forward} takes it, or null when nothing is padding
     */
    private float backward(NDArray ids, NDArray attentionMask, NDArray labels, double divisor) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray logits = model.forward(ids, attentionMask);
            NDArray loss = NextTokenLoss.sum(logits, labels).div((float) divisor);
            collector.backward(loss);
            return loss.getFloat();
        }
    }

    /** Validation loss and token accuracy with dropout off. */
    public Evaluation evaluate() {
        gradientsOffOnThisThread();
        setTraining(false);
        return Evaluation.of(model, data.validation(), options.microBatchSize());
    }

    /** Continues from the newest checkpoint, if there is one; returns its step (0: a fresh start). */
    public int resume() {
        gradientsOffOnThisThread();
        OptionalInt latest = checkpoints.latest();
        if (latest.isPresent()) {
            resumedFrom = checkpoints.restore(latest.getAsInt(), weights, optimizer);
            step = resumedFrom;
        }
        return resumedFrom;
    }

    /** The step's examples, cut into micro-batches: epoch e visits the examples in a seeded shuffle of its own. */
    List<List<TokenizedExample>> microBatches(int step) {
        List<TokenizedExample> train = data.train();
        int perEpoch = options.stepsPerEpoch(train.size());
        int epoch = step / perEpoch;
        if (epoch != orderEpoch) {
            order = shuffled(train.size(), new Random(options.seed() * 1_000_003L + epoch));
            orderEpoch = epoch;
        }
        int from = (step % perEpoch) * options.batchSize();
        int to = Math.min(train.size(), from + options.batchSize());
        List<List<TokenizedExample>> batches = new ArrayList<>();
        for (int start = from; start < to; start += options.microBatchSize()) {
            List<TokenizedExample> micro = new ArrayList<>();
            for (int i = start; i < Math.min(to, start + options.microBatchSize()); i++) {
                micro.add(train.get(order[i]));
            }
            batches.add(micro);
        }
        return batches;
    }

    private static int[] shuffled(int n, Random random) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /**
     * PyTorch's grad mode is per thread and on in every new thread; DJL turns it off only on the thread that
     * loaded the engine. Off here, the optimizer's in-place updates of trainable leaves are allowed and evaluation
     * and sampling build no graph; the gradient collector turns it on for the forward and backward alone.
     */
    private static void gradientsOffOnThisThread() {
        if ("PyTorch".equals(Engine.getInstance().getEngineName())) {
            JniUtils.setGradMode(false);
        }
    }

    private void setTraining(boolean on) {
        loraLayers.forEach(l -> l.training(on));
    }

    private static boolean due(int step, int every, int total) {
        return step == total || (every > 0 && step % every == 0);
    }
}
