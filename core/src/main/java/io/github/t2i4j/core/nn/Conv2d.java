package io.github.t2i4j.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

/** {@code torch.nn.Conv2d} with square kernel, stride and padding; weight [out, in/groups, k, k]. */
public class Conv2d extends Module {
    private final Parameter weight;
    private final Parameter bias;
    private final Shape stride;
    private final Shape padding;

    public Conv2d(long in, long out, int kernel) {
        this(in, out, kernel, 1, kernel / 2, true);
    }

    public Conv2d(long in, long out, int kernel, int stride, int padding, boolean bias) {
        long fanIn = in * kernel * kernel;
        this.weight =
                param("weight", Parameter.Type.WEIGHT, Init.fanInUniform(fanIn), out, in, kernel, kernel);
        this.bias = bias ? param("bias", Parameter.Type.BIAS, Init.fanInUniform(fanIn), out) : null;
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding, padding);
    }

    public NDArray forward(NDArray x) {
        NDArray y =
                ai.djl.nn.convolutional.Conv2d.conv2d(
                        x, v(weight), v(bias), stride, padding, new Shape(1, 1), 1)
                        .head();
        if (FlopCounter.active()) {
            Shape w = v(weight).getShape();
            FlopCounter.add(2 * y.size() * w.get(1) * w.get(2) * w.get(3));
        }
        return y;
    }

    /**
     * A 1x1 convolution applied to channels-last tokens [..., C]: the same product as {@link
     * #forward} on [B, C, H, W], without transposing back and forth (SD 1.x's transformer
     * projections are 1x1 convolutions over a token view).
     */
    public NDArray forwardTokens(NDArray tokens) {
        Shape w = v(weight).getShape();
        if (w.get(2) != 1 || w.get(3) != 1 || stride.get(0) != 1 || stride.get(1) != 1) {
            throw new IllegalStateException("forwardTokens needs a 1x1, stride-1 convolution, not " + w);
        }
        NDArray matrix = v(weight).reshape(w.get(0), w.get(1));
        matrix.attach(tokens.getManager()); // a view: belongs to the call, not to the model
        if (FlopCounter.active()) {
            FlopCounter.add(2 * (tokens.size() / w.get(1)) * w.get(0) * w.get(1));
        }
        return bias == null
                ? ai.djl.nn.core.Linear.linear(tokens, matrix).head()
                : ai.djl.nn.core.Linear.linear(tokens, matrix, v(bias)).head();
    }
}
