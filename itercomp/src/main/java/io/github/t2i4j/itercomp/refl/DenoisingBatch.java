package io.github.t2i4j.itercomp.refl;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.pipelines.Conditioning;

/**
 * Real data for ReFL's regulariser (ImageReward's pre-training loss): the ordinary denoising loss
 * on it keeps the model close to the data while the rewards pull it.
 *
 * @param latents [B, C, h, w] latents at the diffusion model's scale ({@code vae.latentsFromImage})
 * @param cond their captions' conditioning, B rows
 */
public record DenoisingBatch(NDArray latents, Conditioning cond) {

    public DenoisingBatch {
        if (latents.getShape().dimension() != 4 || cond == null
                || cond.context().getShape().get(0) != latents.getShape().get(0)) {
            throw new IllegalArgumentException("need [B, C, h, w] latents and B rows of conditioning, got "
                    + latents.getShape() + (cond == null ? " and none" : " and " + cond.context().getShape()));
        }
    }
}
