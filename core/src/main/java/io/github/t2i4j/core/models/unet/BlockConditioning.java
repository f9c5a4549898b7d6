package io.github.t2i4j.core.models.unet;

import ai.djl.ndarray.NDArray;

/**
 * What a UNet's transformer blocks attend to on one forward: the text states every block
 * cross-attends to, and the extra tokens that {@link TokenFuser}s attached to the blocks read
 * (GLIGEN's grounding tokens, SuTI's demonstration features); diffusers passes the latter in
 * {@code cross_attention_kwargs}.
 *
 * @param encoderHiddenStates [B, S, cross_attention_dim]
 * @param extraTokens [B, N, D] for the attached fusers, or null (the fusers are then skipped, and
 *     the UNet is the plain text-conditioned one)
 */
public record BlockConditioning(NDArray encoderHiddenStates, NDArray extraTokens) {

    /** Text conditioning only. */
    public static BlockConditioning text(NDArray encoderHiddenStates) {
        return new BlockConditioning(encoderHiddenStates, null);
    }
}
