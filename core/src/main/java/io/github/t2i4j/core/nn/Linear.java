package io.github.t2i4j.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

/** {@code torch.nn.Linear}: y = x W^T + b, weight shape [out, in]. */
public class Linear extends Module {
    private final Parameter weight;
    private final Parameter bias;

    public Linear(long in, long out) {
        this(in, out, true);
    }

    public Linear(long in, long out, boolean bias) {
        this.weight = param("weight", Parameter.Type.WEIGHT, Init.fanInUniform(in), out, in);
        this.bias = bias ? param("bias", Parameter.Type.BIAS, Init.fanInUniform(in), out) : null;
    }

    public NDArray forward(NDArray x) {
        if (FlopCounter.active()) {
            Shape w = v(weight).getShape();
            FlopCounter.add(2 * (x.size() / w.get(1)) * w.get(0) * w.get(1));
        }
        return bias == null
                ? ai.djl.nn.core.Linear.linear(x, v(weight)).head()
                : ai.djl.nn.core.Linear.linear(x, v(weight), v(bias)).head();
    }
}
