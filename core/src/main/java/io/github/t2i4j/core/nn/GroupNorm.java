package io.github.t2i4j.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

/** {@code torch.nn.GroupNorm} over [N, C, ...]: DJL has none, so it is built from reductions. */
public class GroupNorm extends Module {
    private final int groups;
    private final float eps;
    private final Parameter weight;
    private final Parameter bias;

    public GroupNorm(int groups, long channels, float eps) {
        this(groups, channels, eps, true);
    }

    public GroupNorm(int groups, long channels, float eps, boolean affine) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(
                    "GroupNorm: " + channels + " channels are not divisible into " + groups + " groups");
        }
        this.groups = groups;
        this.eps = eps;
        this.weight = affine ? param("weight", Parameter.Type.GAMMA, Init.ONES, channels) : null;
        this.bias = affine ? param("bias", Parameter.Type.BETA, Init.ZEROS, channels) : null;
    }

    public NDArray forward(NDArray x) {
        Shape shape = x.getShape();
        long n = shape.get(0);
        long c = shape.get(1);
        NDArray g = x.reshape(n, groups, -1);
        NDArray mean = g.mean(new int[] {2}, true);
        NDArray centered = g.sub(mean);
        NDArray var = centered.square().mean(new int[] {2}, true);
        NDArray y = centered.div(var.add(eps).sqrt()).reshape(shape);
        if (weight == null) {
            return y;
        }
        long[] affineShape = new long[shape.dimension()];
        java.util.Arrays.fill(affineShape, 1);
        affineShape[1] = c;
        Shape s = new Shape(affineShape);
        // reshaped views of the parameters belong to the input's manager, not the model's
        NDArray w = v(weight).reshape(s);
        NDArray b = v(bias).reshape(s);
        w.attach(x.getManager());
        b.attach(x.getManager());
        return y.mul(w).add(b);
    }
}
