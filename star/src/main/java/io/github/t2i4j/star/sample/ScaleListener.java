package io.github.t2i4j.star.sample;

import ai.djl.ndarray.NDArray;

/** Sees the guided logits of every scale while {@link StarSampler} runs (for tests and analysis). */
@FunctionalInterface
public interface ScaleListener {
    /**
     * Called once per scale, in order.
     *
     * @param scale scale index k
     * @param logits the guided logits [B, pn_k^2, V] before temperature and filtering; closed when
     *     the call returns (copy what you keep, e.g. with {@code toFloatArray()})
     */
    void onScale(int scale, NDArray logits);

    ScaleListener NONE = (scale, logits) -> {};
}
