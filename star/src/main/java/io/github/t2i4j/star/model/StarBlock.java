package io.github.t2i4j.star.model;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.nn.LayerNorm;
import io.github.t2i4j.core.nn.Module;

/**
 * One STAR transformer block ({@code AttnBlock} without AdaLN): x += attn(LN(x)) with RoPE;
 * x += cross_attn(LN(x), text, padding bias); x += ffn(LN(x)). The LayerNorm has no affine
 * parameters ({@code ln_wo_grad}, eps 1e-6).
 */
public class StarBlock extends Module {
    public static final float NORM_EPS = 1e-6f;

    private final SelfAttention attn;
    private final CrossAttention crossAttn;
    private final FFN ffn;
    private final LayerNorm lnWoGrad;

    public StarBlock(long embedDim, long inDimCross, int numHeads, double mlpRatio) {
        this.attn = module("attn", new SelfAttention(embedDim, numHeads));
        this.crossAttn = module("cross_attn", new CrossAttention(embedDim, inDimCross, numHeads));
        this.ffn = module("ffn", new FFN(embedDim, Math.round(embedDim * mlpRatio)));
        this.lnWoGrad = module("ln_wo_grad", new LayerNorm(embedDim, NORM_EPS, false));
    }

    public SelfAttention attn() {
        return attn;
    }

    public CrossAttention crossAttn() {
        return crossAttn;
    }

    /**
     * @param x [B, L, C]
     * @param attnBias self-attention mask (block-causal in training, null with the KV cache)
     * @param text text sequence features [B, T, C_cross]
     * @param textBias key padding bias (see {@link CrossAttention#paddingBias}), or null
     * @param rope rotation tables of these L tokens, or null
     */
    public NDArray forward(
            NDArray x, NDArray attnBias, NDArray text, NDArray textBias, NormalizedRope2d.Tables rope) {
        NDArray n = norm(x);
        NDArray h = residual(x, attn.forward(n, attnBias, rope), false);
        n.close();
        n = norm(h);
        NDArray h2 = residual(h, crossAttn.forward(n, text, textBias), true);
        n.close();
        n = norm(h2);
        NDArray out = residual(h2, ffn.forward(n), true);
        n.close();
        return out;
    }

    private NDArray norm(NDArray x) {
        return lnWoGrad.forward(x);
    }

    private static NDArray residual(NDArray x, NDArray delta, boolean closeX) {
        NDArray out = x.add(delta);
        delta.close();
        if (closeX) {
            x.close();
        }
        return out;
    }
}
