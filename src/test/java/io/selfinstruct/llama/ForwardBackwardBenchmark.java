package io.selfinstruct.llama;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.selfinstruct.lora.LoraLinear;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.json.JsonMapper;

/**
 * One training step's forward + backward (no optimizer) of a ~100M-parameter Llama shape (hidden 768, 12 layers,
 * 12 heads / 4 kv heads, intermediate 2048, vocab 32000 tied: 99.5M parameters) on random weights, for a
 * {@code batch x seq} token batch. {@code lora}: r 8 on q_proj/v_proj, base frozen (what the trainer does);
 * {@code full}: every weight gets a gradient. Tokens/s = ops/s x batch x seq.
 *
 * <pre>mvn -q -Pbench test-compile exec:java -Dexec.args="ForwardBackwardBenchmark -f 1 -wi 1 -i 3"</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 10)
@Measurement(iterations = 3, time = 10)
@Fork(1)
public class ForwardBackwardBenchmark {

    @Param({"lora", "full"})
    public String mode;

    @Param({"2"})
    public int batch;

    @Param({"256"})
    public int seq;

    private LlamaModel model;
    private NDArray ids;
    private final List<NDArray> trainable = new ArrayList<>();

    static ModelConfig config() {
        return ModelConfig.parse(JsonMapper.builder().build().readTree("""
                {"model_type": "llama", "vocab_size": 32000, "hidden_size": 768, "intermediate_size": 2048,
                 "num_hidden_layers": 12, "num_attention_heads": 12, "num_key_value_heads": 4,
                 "max_position_embeddings": 2048, "rms_norm_eps": 1e-5, "tie_word_embeddings": true}"""));
    }

    @Setup(Level.Trial)
    public void setUp() {
        ModelConfig c = config();
        Device device = DeviceChoice.AUTO.resolve();
        NDManager m = NDManager.newBaseManager(device);
        Map<String, NDArray> w = new LinkedHashMap<>();
        LlamaLoader.tensorTable(c, false)
                .forEach((name, shape) -> w.put(
                        name,
                        name.endsWith("norm.weight")
                                ? m.ones(new Shape(shape))
                                : m.randomNormal(
                                        0,
                                        (float) (1 / Math.sqrt(shape[shape.length - 1])),
                                        new Shape(shape),
                                        DataType.FLOAT32)));
        List<DecoderLayer> layers = new ArrayList<>();
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            Map<String, LinearLayer> projections = new LinkedHashMap<>();
            for (String n : DecoderLayer.ATTENTION) {
                projections.put(n, new FrozenLinear(w.get(p + "self_attn." + n + ".weight"), null));
            }
            for (String n : DecoderLayer.MLP) {
                projections.put(n, new FrozenLinear(w.get(p + "mlp." + n + ".weight"), null));
            }
            layers.add(new DecoderLayer(
                    c, w.get(p + "input_layernorm.weight"), w.get(p + "post_attention_layernorm.weight"), projections));
        }
        NDArray embed = w.get("model.embed_tokens.weight");
        model = new LlamaModel(c, m, embed, layers, w.get("model.norm.weight"), new FrozenLinear(embed, null));
        if (mode.equals("full")) {
            w.values().forEach(a -> a.setRequiresGradient(true));
            trainable.addAll(w.values());
        } else {
            model.linearLayers().forEach((path, layer) -> {
                if (path.endsWith("q_proj") || path.endsWith("v_proj")) {
                    FrozenLinear base = layer.base();
                    NDArray a = m.randomNormal(0, 0.01f, new Shape(8, base.inFeatures()), DataType.FLOAT32);
                    NDArray b = m.zeros(new Shape(base.outFeatures(), 8));
                    a.setRequiresGradient(true);
                    b.setRequiresGradient(true);
                    trainable.add(a);
                    trainable.add(b);
                    model.replaceLinear(path, new LoraLinear(base, a, b, 2f, 0f));
                }
            });
        }
        ids = m.randomInteger(0, c.vocabSize(), new Shape(batch, seq), DataType.INT64);
        System.out.printf(
                "%n%s: %.1fM parameters on %s, %d trainable tensors%n",
                mode, w.values().stream().mapToLong(a -> a.getShape().size()).sum() / 1e6, device, trainable.size());
    }

    @Benchmark
    public float forwardBackward() {
        try (NDScope scope = new NDScope();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            scope.suppressNotUsedWarning();
            NDArray loss = NextTokenLoss.mean(model.forward(ids, null), ids);
            collector.backward(loss);
            return loss.getFloat();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        model.close();
    }
}
