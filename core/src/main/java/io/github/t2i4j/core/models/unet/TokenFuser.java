package io.github.t2i4j.core.models.unet;

import ai.djl.ndarray.NDArray;

/**
 * A layer added to a {@link BasicTransformerBlock} between its self-attention and its text
 * cross-attention, where GLIGEN puts its gated self-attention ({@code fuser}): it mixes extra
 * tokens into the image tokens. Implementations are {@link io.github.t2i4j.core.nn.Module}s and
 * are usually initialised to the identity (a zero gate or a zero output projection), so that
 * attaching one leaves a trained UNet's output unchanged until the fuser is trained.
 */
public interface TokenFuser {

    /**
     * The key of the {@link BlockConditioning#extraTokens()} this fuser reads; on a forward without
     * it the fuser is skipped.
     */
    String tokensKey();

    /**
     * @param hidden the image tokens [B, L, dim] after self-attention
     * @param tokens the extra tokens [B, N, D] of this forward under {@link #tokensKey()}
     * @return the new image tokens [B, L, dim]
     */
    NDArray fuse(NDArray hidden, NDArray tokens);
}
