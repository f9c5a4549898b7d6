package io.github.t2i4j.core.nn;

import ai.djl.training.initializer.Initializer;

/** Parameter initialisers matching PyTorch's defaults, so training from scratch behaves alike. */
public final class Init {
    private Init() {}

    /** U(-1/sqrt(fanIn), 1/sqrt(fanIn)): PyTorch's default for Linear/Conv weights and biases. */
    public static Initializer fanInUniform(long fanIn) {
        float bound = (float) (1.0 / Math.sqrt(fanIn));
        return (manager, shape, dataType) -> manager.randomUniform(-bound, bound, shape, dataType);
    }

    /** N(0, std^2), as used for embeddings. */
    public static Initializer normal(float std) {
        return (manager, shape, dataType) -> manager.randomNormal(0f, std, shape, dataType);
    }

    public static final Initializer ZEROS = Initializer.ZEROS;
    public static final Initializer ONES = Initializer.ONES;
}
