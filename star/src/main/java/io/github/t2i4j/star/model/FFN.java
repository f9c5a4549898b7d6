package io.github.t2i4j.star.model;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.nn.Activations;
import io.github.t2i4j.core.nn.Linear;
import io.github.t2i4j.core.nn.Module;

/** VAR/STAR's {@code FFN}: fc1, tanh-GELU, fc2 (hidden = round(C * mlp_ratio)). */
public class FFN extends Module {
    private final Linear fc1;
    private final Linear fc2;

    public FFN(long inFeatures, long hiddenFeatures) {
        this.fc1 = module("fc1", new Linear(inFeatures, hiddenFeatures));
        this.fc2 = module("fc2", new Linear(hiddenFeatures, inFeatures));
    }

    public NDArray forward(NDArray x) {
        NDArray h = fc1.forward(x);
        NDArray a = Activations.geluTanh(h);
        h.close();
        NDArray out = fc2.forward(a);
        a.close();
        return out;
    }
}
