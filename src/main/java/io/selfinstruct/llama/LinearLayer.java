package io.selfinstruct.llama;

import ai.djl.ndarray.NDArray;

/** {@code y = x W^T (+ b)} as in torch's nn.Linear; a LoRA layer wraps one of these. */
public interface LinearLayer {

    /** x (..., in_features) to (..., out_features). */
    NDArray forward(NDArray x);

    /** The frozen base layer underneath any wrappers. */
    FrozenLinear base();
}
