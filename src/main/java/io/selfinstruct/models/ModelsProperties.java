package io.selfinstruct.models;

import io.selfinstruct.llama.DeviceChoice;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code selfinstruct.models.*}: where models may be loaded from and how they run.
 *
 * @param roots directories under which model and adapter directories must lie (env SELFINSTRUCT_MODELS_ROOTS,
 *     comma-separated); empty means no model can be loaded through the API
 * @param device auto, cpu or gpu
 * @param halfPrecisionOnGpu float16 frozen base weights on a GPU (norms, softmax, loss and LoRA stay float32)
 * @param maxTexts most sequences one evaluate request may score
 * @param maxNewTokens most tokens one generate request may ask for
 */
@ConfigurationProperties("selfinstruct.models")
public record ModelsProperties(
        List<String> roots, DeviceChoice device, Boolean halfPrecisionOnGpu, Integer maxTexts, Integer maxNewTokens) {

    public ModelsProperties {
        roots = roots == null
                ? List.of()
                : roots.stream().map(String::strip).filter(r -> !r.isEmpty()).toList();
        device = device == null ? DeviceChoice.AUTO : device;
        halfPrecisionOnGpu = halfPrecisionOnGpu == null || halfPrecisionOnGpu;
        maxTexts = maxTexts == null ? 64 : maxTexts;
        maxNewTokens = maxNewTokens == null ? 1024 : maxNewTokens;
    }
}
