package io.github.t2i4j.core.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with a constant that is safe in a training graph.
 *
 * <p>DJL's PyTorch engine implements {@code x.mul(2f)}, {@code div}, {@code pow}, {@code
 * maximum}, {@code minimum} with a number by wrapping the number in a Java direct buffer ({@code
 * manager.create(n)}, {@code torch.from_blob}) that it closes right after the call. Autograd saves
 * that scalar for the backward pass ({@code d(x*c)/dx = c}); once the garbage collector has freed
 * the buffer, backward reads whatever now lives there: NaN or wrong gradients, now and then, with
 * the same inputs (see {@link HostArrays}). These methods use a scalar that PyTorch allocates
 * ({@code torch.full}) instead. Outside a graph (inference) the plain DJL calls are fine.
 */
public final class ScalarOps {
    private ScalarOps() {}

    /** A 0-d array holding {@code value}, of {@code like}'s type and device, in PyTorch's memory. */
    public static NDArray scalar(NDArray like, double value) {
        return like.getManager().full(new Shape(), (float) value, like.getDataType());
    }

    /** x * c. */
    public static NDArray mul(NDArray x, double c) {
        try (NDArray s = scalar(x, c)) {
            return x.mul(s);
        }
    }

    /** x / c. */
    public static NDArray div(NDArray x, double c) {
        try (NDArray s = scalar(x, c)) {
            return x.div(s);
        }
    }

    /** max(x, c), elementwise. */
    public static NDArray maximum(NDArray x, double c) {
        try (NDArray s = scalar(x, c)) {
            return x.maximum(s);
        }
    }

    /** min(x, c), elementwise. */
    public static NDArray minimum(NDArray x, double c) {
        try (NDArray s = scalar(x, c)) {
            return x.minimum(s);
        }
    }
}
