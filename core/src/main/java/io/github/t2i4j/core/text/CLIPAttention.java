package io.github.t2i4j.core.text;

import io.github.t2i4j.core.tensor.Scalars;
import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.nn.Linear;
import io.github.t2i4j.core.nn.Module;

/** transformers' {@code CLIPAttention}: multi-head self-attention with separate q/k/v projections. */
public class CLIPAttention extends Module {
    private final int heads;
    private final int headDim;
    private final float scale;
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear outProj;

    public CLIPAttention(CLIPEncoderConfig config) {
        int dim = config.hiddenSize();
        this.heads = config.numAttentionHeads();
        this.headDim = config.headDim();
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.kProj = module("k_proj", new Linear(dim, dim));
        this.vProj = module("v_proj", new Linear(dim, dim));
        this.qProj = module("q_proj", new Linear(dim, dim));
        this.outProj = module("out_proj", new Linear(dim, dim));
    }

    /**
     * @param x hidden states [B, L, D]
     * @param bias additive attention bias broadcastable to [B, heads, L, L] (0 where a query may
     *     attend to a key, a large negative value where not), or null
     */
    public NDArray forward(NDArray x, NDArray bias) {
        long b = x.getShape().get(0);
        long l = x.getShape().get(1);
        NDArray q = Scalars.mul(qProj.forward(x), scale).reshape(b, l, heads, headDim).transpose(0, 2, 1, 3);
        NDArray kT = kProj.forward(x).reshape(b, l, heads, headDim).transpose(0, 2, 3, 1);
        NDArray v = vProj.forward(x).reshape(b, l, heads, headDim).transpose(0, 2, 1, 3);
        NDArray scores = q.matMul(kT);
        if (bias != null) {
            scores = scores.add(bias);
        }
        NDArray out = scores.softmax(3).matMul(v).transpose(0, 2, 1, 3).reshape(b, l, (long) heads * headDim);
        return outProj.forward(out);
    }
}
