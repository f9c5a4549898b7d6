package io.github.t2i4j.core.training;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.tensor.Scalars;

/**
 * The decoders' reconstruction loss on the world (the world VAE's and STAR's tokenizer's): L1, plus
 * the image-gradient L1 that sharpens edges ({@link LocalTextureLoss#gradientError}) and the
 * {@link LocalTextureLoss} that asks for dots where the render has dots, each with its weight (0:
 * left out). Flat-coloured shapes need neither a perceptual nor an adversarial term.
 */
public final class ReconstructionLoss {
    private final double gradientWeight;
    private final double textureWeight;
    private final LocalTextureLoss texture = LocalTextureLoss.defaults();

    public ReconstructionLoss(double gradientWeight, double textureWeight) {
        if (!(gradientWeight >= 0) || !(textureWeight >= 0)) {
            throw new IllegalArgumentException("weights must be >= 0: " + gradientWeight + ", " + textureWeight);
        }
        this.gradientWeight = gradientWeight;
        this.textureWeight = textureWeight;
    }

    /** The scalar loss of {@code recon} against {@code x}, both [B, C, H, W]. */
    public NDArray apply(NDArray recon, NDArray x) {
        NDArray total = recon.sub(x).abs().mean();
        if (gradientWeight > 0) {
            total = total.add(Scalars.mul(LocalTextureLoss.gradientError(recon, x), (float) gradientWeight));
        }
        if (textureWeight > 0) {
            total = total.add(Scalars.mul(texture.apply(recon, x), (float) textureWeight));
        }
        return total;
    }
}
