package io.github.t2i4j.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;

/** {@code torch.nn.LayerNorm} over the last dimension (parameters named weight/bias as in PyTorch). */
public class LayerNorm extends Module {
    private final long dim;
    private final float eps;
    private final Parameter weight;
    private final Parameter bias;

    public LayerNorm(long dim, float eps) {
        this(dim, eps, true);
    }

    public LayerNorm(long dim, float eps, boolean affine) {
        this.dim = dim;
        this.eps = eps;
        this.weight = affine ? param("weight", Parameter.Type.GAMMA, Init.ONES, dim) : null;
        this.bias = affine ? param("bias", Parameter.Type.BETA, Init.ZEROS, dim) : null;
    }

    public NDArray forward(NDArray x) {
        if (weight != null) {
            return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(dim), v(weight), v(bias), eps)
                    .head();
        }
        NDArray mean = x.mean(new int[] {-1}, true);
        NDArray centered = x.sub(mean);
        NDArray var = centered.square().mean(new int[] {-1}, true);
        return centered.div(var.add(eps).sqrt());
    }
}
