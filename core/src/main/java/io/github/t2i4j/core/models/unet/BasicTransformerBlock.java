package io.github.t2i4j.core.models.unet;

import io.github.t2i4j.core.tensor.Scopes;
import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.models.Attention;
import io.github.t2i4j.core.nn.LayerNorm;
import io.github.t2i4j.core.nn.Module;

/**
 * diffusers' {@code BasicTransformerBlock} as Stable Diffusion uses it (layer norms, no
 * ada-norm): pre-norm self-attention ({@code attn1}), cross-attention to the text ({@code attn2})
 * and a GEGLU feed-forward ({@code ff}), each added to the residual stream.
 */
public class BasicTransformerBlock extends Module {
    private static final float NORM_EPS = 1e-5f;

    private final LayerNorm norm1;
    private final Attention attn1;
    private final LayerNorm norm2;
    private final Attention attn2;
    private final LayerNorm norm3;
    private final FeedForward ff;
    private final int dim;
    private Module fuser;

    public BasicTransformerBlock(int dim, int numAttentionHeads, int attentionHeadDim, int crossAttentionDim) {
        this.norm1 = module("norm1", new LayerNorm(dim, NORM_EPS));
        this.attn1 = module("attn1", new Attention(
                Attention.Options.transformer(dim, null, numAttentionHeads, attentionHeadDim)));
        this.norm2 = module("norm2", new LayerNorm(dim, NORM_EPS));
        this.attn2 = module("attn2", new Attention(Attention.Options.transformer(
                dim, (long) crossAttentionDim, numAttentionHeads, attentionHeadDim)));
        this.norm3 = module("norm3", new LayerNorm(dim, NORM_EPS));
        this.ff = module("ff", new FeedForward(dim));
        this.dim = dim;
    }

    /** Width of the image tokens. */
    public int dim() {
        return dim;
    }

    /**
     * Adds {@code fuser} under diffusers' name {@code fuser} (its parameters become part of the
     * block's); it runs on every forward whose {@link BlockConditioning#extraTokens()} hold its key.
     */
    public <M extends Module & TokenFuser> M attachFuser(M fuser) {
        if (this.fuser != null) {
            throw new IllegalStateException("this transformer block already has a fuser");
        }
        this.fuser = module("fuser", fuser);
        return fuser;
    }

    /** The attached fuser, or null. */
    public Module fuser() {
        return fuser;
    }

    /**
     * @param hidden [B, L, dim]
     * @param encoderHiddenStates [B, S, crossAttentionDim]
     */
    public NDArray forward(NDArray hidden, NDArray encoderHiddenStates) {
        return forward(hidden, BlockConditioning.text(encoderHiddenStates));
    }

    /**
     * @param hidden [B, L, dim]
     * @param cond the text states, and the extra tokens of an attached fuser
     */
    public NDArray forward(NDArray hidden, BlockConditioning cond) {
        // each residual branch in its own scope, so its intermediates (attention scores) go at once
        NDArray encoderHiddenStates = cond.encoderHiddenStates();
        NDArray h1 = hidden;
        NDArray self = Scopes.run(() -> attn1.forward(norm1.forward(h1)).add(h1));
        NDArray tokens = fuser == null ? null : cond.tokens(((TokenFuser) fuser).tokensKey());
        NDArray h2 = tokens == null ? self : Scopes.run(() -> ((TokenFuser) fuser).fuse(self, tokens));
        NDArray h3 = Scopes.run(() -> attn2.forward(norm2.forward(h2), encoderHiddenStates, null).add(h2));
        return Scopes.run(() -> ff.forward(norm3.forward(h3)).add(h3));
    }
}
