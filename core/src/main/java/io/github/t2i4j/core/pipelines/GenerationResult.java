package io.github.t2i4j.core.pipelines;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Generated images with where the time went.
 *
 * @param images one per (prompt, image-per-prompt), prompt-major
 * @param prompts the prompt of each image
 * @param seeds the noise seed of each image
 * @param textSeconds text encoding
 * @param denoiseSeconds the denoising loop (UNet and scheduler)
 * @param decodeSeconds VAE decoding and conversion to images
 */
public record GenerationResult(
        List<BufferedImage> images,
        List<String> prompts,
        List<Long> seeds,
        double textSeconds,
        double denoiseSeconds,
        double decodeSeconds) {

    public double totalSeconds() {
        return textSeconds + denoiseSeconds + decodeSeconds;
    }
}
