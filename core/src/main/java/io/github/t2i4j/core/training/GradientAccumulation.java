package io.github.t2i4j.core.training;

import io.github.t2i4j.core.tensor.Scalars;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.function.IntFunction;

/**
 * Gradient accumulation: the gradient of the mean loss over {@code k} micro-batches, computed one
 * micro-batch at a time. Backward passes add into the parameters' gradients until they are zeroed
 * (PyTorch semantics; DJL's collector does not zero them when opened), so running backward on
 * {@code loss_i / k} for each micro-batch sums to the gradient of their mean: with equal
 * micro-batches and a mean loss, that is the full batch's gradient.
 */
public final class GradientAccumulation {
    private GradientAccumulation() {}

    /**
     * Runs forward ({@code loss.apply(i)}, a scalar) and backward for micro-batches {@code 0..k-1}
     * inside one gradient collector (the only one a JVM may have open), each in its own {@link
     * NDScope} so its activations are freed as soon as it is done, and returns the mean loss.
     * Gradients are added to what the parameters hold: zero them first.
     */
    public static double accumulate(int k, IntFunction<NDArray> loss) {
        if (k < 1) {
            throw new IllegalArgumentException("need at least one micro-batch: " + k);
        }
        double sum = 0;
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            for (int i = 0; i < k; i++) {
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    NDArray l = loss.apply(i);
                    if (l.getShape().size() != 1) {
                        throw new IllegalArgumentException(
                                "the loss must be a scalar, got shape " + l.getShape());
                    }
                    collector.backward(k == 1 ? l : Scalars.div(l, k));
                    sum += l.toType(DataType.FLOAT32, false).getFloat();
                }
            }
        }
        return sum / k;
    }
}
