package io.github.t2i4j.suti.experts;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.nn.Init;
import io.github.t2i4j.core.nn.Module;

/** The one trainable tensor of Textual Inversion: the placeholder's embedding row [1, D]. */
final class PlaceholderEmbedding extends Module {
    private final Parameter weight;

    /** The row {@code init} [1, D] itself (taken over, made trainable). */
    PlaceholderEmbedding(NDArray init) {
        if (init.getShape().dimension() != 2 || init.getShape().get(0) != 1) {
            throw new IllegalArgumentException("the placeholder row must be [1, D], got " + init.getShape());
        }
        this.weight = param("weight", Parameter.Type.WEIGHT, Init.normal(0.02f), 1, init.getShape().get(1));
        init.setRequiresGradient(true);
        weight.setArray(init);
    }

    NDArray row() {
        return v(weight);
    }
}
