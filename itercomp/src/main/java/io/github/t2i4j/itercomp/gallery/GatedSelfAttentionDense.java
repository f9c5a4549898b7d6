package io.github.t2i4j.itercomp.gallery;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.models.Attention;
import io.github.t2i4j.core.models.unet.FeedForward;
import io.github.t2i4j.core.models.unet.TokenFuser;
import io.github.t2i4j.core.nn.Init;
import io.github.t2i4j.core.nn.LayerNorm;
import io.github.t2i4j.core.nn.Linear;
import io.github.t2i4j.core.nn.Module;

/**
 * GLIGEN's gated self-attention, diffusers' {@code GatedSelfAttentionDense} (a transformer block's
 * {@code fuser}): the grounding tokens are projected to the image tokens' width ({@code linear}),
 * appended to them, and self-attention over the joint sequence ({@code norm1}, {@code attn}) is
 * added back to the image tokens only, scaled by {@code tanh(alpha_attn)}; then a GEGLU
 * feed-forward ({@code norm2}, {@code ff}) scaled by {@code tanh(alpha_dense)}:
 *
 * <pre>
 * x = x + tanh(alpha_attn) * attn(norm1([x, linear(objs)]))[:, :n_visual]
 * x = x + tanh(alpha_dense) * ff(norm2(x))
 * </pre>
 *
 * Both gates start at zero, so a trained UNet with these layers attached computes exactly what it
 * computed before, and training opens the gates gradually.
 */
public final class GatedSelfAttentionDense extends Module implements TokenFuser {
    /** The key of the grounding tokens in a UNet forward's {@code BlockConditioning} (diffusers' {@code gligen.objs}). */
    public static final String TOKENS_KEY = "gligen.objs";
    private static final float NORM_EPS = 1e-5f;

    private final Linear linear;
    private final Attention attn;
    private final FeedForward ff;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final Parameter alphaAttn;
    private final Parameter alphaDense;

    /**
     * @param queryDim width of the image tokens
     * @param contextDim width of the grounding tokens
     * @param heads attention heads
     * @param dimHead width of each head
     */
    public GatedSelfAttentionDense(int queryDim, int contextDim, int heads, int dimHead) {
        // registered in diffusers' order
        this.linear = module("linear", new Linear(contextDim, queryDim));
        this.attn = module("attn", new Attention(Attention.Options.transformer(queryDim, null, heads, dimHead)));
        this.ff = module("ff", new FeedForward(queryDim));
        this.norm1 = module("norm1", new LayerNorm(queryDim, NORM_EPS));
        this.norm2 = module("norm2", new LayerNorm(queryDim, NORM_EPS));
        this.alphaAttn = param("alpha_attn", Parameter.Type.WEIGHT, Init.ZEROS);
        this.alphaDense = param("alpha_dense", Parameter.Type.WEIGHT, Init.ZEROS);
    }

    /**
     * @param hidden the image tokens [B, L, queryDim]
     * @param objs the grounding tokens [B, N, contextDim]
     */
    @Override
    public String tokensKey() {
        return TOKENS_KEY;
    }

    @Override
    public NDArray fuse(NDArray hidden, NDArray objs) {
        long visual = hidden.getShape().get(1);
        NDArray joint = NDArrays.concat(new NDList(hidden, linear.forward(objs)), 1);
        NDArray attended = attn.forward(norm1.forward(joint)).get(new NDIndex(":, :{}, :", visual));
        NDArray x = hidden.add(v(alphaAttn).tanh().mul(attended));
        return x.add(v(alphaDense).tanh().mul(ff.forward(norm2.forward(x))));
    }

    /** The attention gate's parameter (a scalar). */
    public Parameter alphaAttn() {
        return alphaAttn;
    }

    /** The feed-forward gate's parameter (a scalar). */
    public Parameter alphaDense() {
        return alphaDense;
    }
}
