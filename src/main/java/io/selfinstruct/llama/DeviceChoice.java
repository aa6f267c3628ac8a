package io.selfinstruct.llama;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;

/** Where a model runs: {@code auto} takes the GPU when DJL's PyTorch engine sees one. */
public enum DeviceChoice {
    AUTO,
    CPU,
    GPU;

    public Device resolve() {
        int gpus = Engine.getEngine("PyTorch").getGpuCount();
        return switch (this) {
            case CPU -> Device.cpu();
            case AUTO -> gpus > 0 ? Device.gpu() : Device.cpu();
            case GPU -> {
                if (gpus == 0) {
                    throw new ModelLoadException("device gpu was asked for but DJL's PyTorch engine sees no GPU");
                }
                yield Device.gpu();
            }
        };
    }

    /**
     * Frozen base weights: float32 on the CPU (bf16/fp16 matmuls there are slow or missing); float16 on a GPU
     * when {@code halfOnGpu}, with norms, softmax, loss and LoRA still float32. Never bfloat16: DJL 0.36 aborts.
     */
    public static DataType weightType(Device device, boolean halfOnGpu) {
        return device.isGpu() && halfOnGpu ? DataType.FLOAT16 : DataType.FLOAT32;
    }
}
