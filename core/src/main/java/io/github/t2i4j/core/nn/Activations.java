package io.github.t2i4j.core.nn;

import io.github.t2i4j.core.tensor.Scalars;
import ai.djl.ndarray.NDArray;

/** Activation functions by the names checkpoint configs use ("silu", "gelu", "quick_gelu", ...). */
public final class Activations {
    private Activations() {}

    public static NDArray silu(NDArray x) {
        return x.mul(x.getNDArrayInternal().sigmoid());
    }

    /** Exact (erf) GELU, PyTorch's default. */
    public static NDArray gelu(NDArray x) {
        return Scalars.mul(x.mul(Scalars.div(x, (float) Math.sqrt(2.0)).erf().add(1f)), 0.5f);
    }

    /** tanh-approximated GELU ("gelu_pytorch_tanh", VAR/STAR's MLP). */
    public static NDArray geluTanh(NDArray x) {
        NDArray inner = Scalars.mul(x.add(Scalars.mul(Scalars.pow(x, 3f), 0.044715f)), (float) Math.sqrt(2.0 / Math.PI));
        return Scalars.mul(x.mul(inner.tanh().add(1f)), 0.5f);
    }

    /** OpenAI CLIP's x * sigmoid(1.702 x). */
    public static NDArray quickGelu(NDArray x) {
        return x.mul(Scalars.mul(x, 1.702f).getNDArrayInternal().sigmoid());
    }

    /** Applies the activation a config names; unknown names are an error. */
    public static NDArray apply(String name, NDArray x) {
        switch (name) {
            case "silu":
            case "swish":
                return silu(x);
            case "gelu":
                return gelu(x);
            case "gelu_pytorch_tanh":
            case "gelu_new":
            case "gelu_tanh":
                return geluTanh(x);
            case "quick_gelu":
                return quickGelu(x);
            case "relu":
                return Scalars.maximum(x, 0f);
            default:
                throw new IllegalArgumentException("unknown activation function: " + name);
        }
    }
}
