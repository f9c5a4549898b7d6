package io.github.t2i4j.itercomp.reward;

import io.github.t2i4j.core.tensor.Scalars;
import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.nn.Linear;
import io.github.t2i4j.core.nn.Module;

/**
 * Multi-head cross-attention of text tokens (queries) to image tokens (keys and values), as in
 * BLIP's text encoder ({@code crossattention} of ImageReward's BERT layers). The image tokens
 * arrive already at the text width.
 */
public class CrossAttention extends Module {
    private final int heads;
    private final int headDim;
    private final float scale;
    private final Linear qProj;
    private final Linear kProj;
    private final Linear vProj;
    private final Linear outProj;

    public CrossAttention(int dim, int heads) {
        this.heads = heads;
        this.headDim = dim / heads;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.qProj = module("q_proj", new Linear(dim, dim));
        this.kProj = module("k_proj", new Linear(dim, dim));
        this.vProj = module("v_proj", new Linear(dim, dim));
        this.outProj = module("out_proj", new Linear(dim, dim));
    }

    /**
     * @param x text hidden states [B, L, D]
     * @param context image tokens [B, N, D] (every image token may be attended to)
     * @return [B, L, D]
     */
    public NDArray forward(NDArray x, NDArray context) {
        long b = x.getShape().get(0);
        long l = x.getShape().get(1);
        long n = context.getShape().get(1);
        NDArray q = Scalars.mul(qProj.forward(x), scale).reshape(b, l, heads, headDim).transpose(0, 2, 1, 3);
        NDArray kT = kProj.forward(context).reshape(b, n, heads, headDim).transpose(0, 2, 3, 1);
        NDArray v = vProj.forward(context).reshape(b, n, heads, headDim).transpose(0, 2, 1, 3);
        NDArray out = q.matMul(kT).softmax(3).matMul(v).transpose(0, 2, 1, 3).reshape(b, l, (long) heads * headDim);
        return outProj.forward(out);
    }
}
