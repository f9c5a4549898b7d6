package io.github.t2i4j.core.nn;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.tensor.ScalarOps;

/**
 * Activation functions by the names checkpoint configs use ("silu", "gelu", "quick_gelu", ...).
 * Constants go through {@link ScalarOps}, so the functions are safe to train through.
 */
public final class Activations {
    private Activations() {}

    public static NDArray silu(NDArray x) {
        return x.mul(x.getNDArrayInternal().sigmoid());
    }

    /** Exact (erf) GELU, PyTorch's default. */
    public static NDArray gelu(NDArray x) {
        try (NDArray scaled = ScalarOps.div(x, Math.sqrt(2.0));
                NDArray erf = scaled.erf();
                NDArray onePlus = erf.add(1f);
                NDArray prod = x.mul(onePlus)) {
            return ScalarOps.mul(prod, 0.5);
        }
    }

    /** tanh-approximated GELU ("gelu_pytorch_tanh", VAR/STAR's MLP). */
    public static NDArray geluTanh(NDArray x) {
        try (NDArray sq = x.mul(x);
                NDArray cube = sq.mul(x);
                NDArray c = ScalarOps.mul(cube, 0.044715);
                NDArray sum = x.add(c);
                NDArray inner = ScalarOps.mul(sum, Math.sqrt(2.0 / Math.PI));
                NDArray t = inner.tanh();
                NDArray onePlus = t.add(1f);
                NDArray prod = x.mul(onePlus)) {
            return ScalarOps.mul(prod, 0.5);
        }
    }

    /** OpenAI CLIP's x * sigmoid(1.702 x). */
    public static NDArray quickGelu(NDArray x) {
        try (NDArray scaled = ScalarOps.mul(x, 1.702);
                NDArray gate = scaled.getNDArrayInternal().sigmoid()) {
            return x.mul(gate);
        }
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
                return ScalarOps.maximum(x, 0);
            default:
                throw new IllegalArgumentException("unknown activation function: " + name);
        }
    }
}
