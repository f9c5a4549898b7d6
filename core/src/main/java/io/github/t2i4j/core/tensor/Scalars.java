package io.github.t2i4j.core.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with a Java number whose operand PyTorch owns.
 *
 * <p>DJL's {@code x.mul(0.5f)} (likewise {@code div}, {@code pow}, {@code maximum}, {@code
 * minimum} with a {@code Number}) wraps the number in a 0-dim tensor over a Java direct buffer
 * ({@code torch.from_blob}) and closes it as soon as the op returns. Autograd saves that tensor
 * for the backward pass of these ops, and once the garbage collector has freed the buffer the
 * backward pass multiplies by whatever the memory then holds: the gradient of {@code 3 x} came out
 * as 7 or -1e32 in a probe, and training runs with the same seed drifted apart or gave NaN. Every
 * op on a path that gradients flow through uses these instead; the numbers are the same 0-dim
 * float32 tensors, so results are bit for bit those of DJL's versions. (Add and subtract save no
 * operand and need no care; without autograd DJL's versions are safe.)
 */
public final class Scalars {
    private Scalars() {}

    /** A 0-dim float32 tensor holding {@code value}, allocated by PyTorch on {@code like}'s device. */
    public static NDArray of(NDArray like, float value) {
        return like.getManager().full(new Shape(), value, DataType.FLOAT32);
    }

    /** {@code x * value}. */
    public static NDArray mul(NDArray x, float value) {
        try (NDArray s = of(x, value)) {
            return x.mul(s);
        }
    }

    /** {@code x / value}. */
    public static NDArray div(NDArray x, float value) {
        try (NDArray s = of(x, value)) {
            return x.div(s);
        }
    }

    /** {@code x ^ value}. */
    public static NDArray pow(NDArray x, float value) {
        try (NDArray s = of(x, value)) {
            return x.pow(s);
        }
    }

    /** {@code max(x, value)} elementwise. */
    public static NDArray maximum(NDArray x, float value) {
        try (NDArray s = of(x, value)) {
            return x.maximum(s);
        }
    }

    /** {@code min(x, value)} elementwise. */
    public static NDArray minimum(NDArray x, float value) {
        try (NDArray s = of(x, value)) {
            return x.minimum(s);
        }
    }
}
