package io.github.t2i4j.suti.model;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Objects;

/**
 * One SuTI generation: the demonstrations of a subject (images with their captions; SuTI takes 3 to
 * 5), the prompt asking for it in a new context, and how to sample.
 *
 * @param demoImages the demonstration images (resized to the model's size when they differ)
 * @param demoCaptions one caption per demonstration image
 * @param prompt the new-context prompt
 * @param images images to draw (image i from latent noise of seed {@code seed + i})
 * @param steps sampling steps of the base model's scheduler
 * @param guidance the interleaved guidance (its choices drawn from the seed)
 * @param seed the noise seed; the same request gives the same pixels
 */
public record SuTIRequest(
        List<BufferedImage> demoImages,
        List<String> demoCaptions,
        String prompt,
        int images,
        int steps,
        InterleavedGuidance guidance,
        long seed) {

    /** Sampling steps by default (the world model's DPM-Solver++ 2M needs about 20). */
    public static final int DEFAULT_STEPS = 20;

    public SuTIRequest {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(guidance, "guidance");
        demoImages = List.copyOf(demoImages);
        demoCaptions = List.copyOf(demoCaptions);
        if (demoImages.isEmpty()) {
            throw new IllegalArgumentException("SuTI needs at least one demonstration (3 to 5 as trained)");
        }
        if (demoImages.size() != demoCaptions.size()) {
            throw new IllegalArgumentException("need one caption per demonstration image: " + demoImages.size()
                    + " images, " + demoCaptions.size() + " captions");
        }
        if (images < 1 || steps < 1) {
            throw new IllegalArgumentException("images and steps must be positive: " + images + ", " + steps);
        }
    }

    /** One image with {@value #DEFAULT_STEPS} steps, the default guidance and seed 0. */
    public static SuTIRequest of(List<BufferedImage> demoImages, List<String> demoCaptions, String prompt) {
        return new SuTIRequest(demoImages, demoCaptions, prompt, 1, DEFAULT_STEPS, InterleavedGuidance.defaults(), 0);
    }

    public SuTIRequest withImages(int n) {
        return new SuTIRequest(demoImages, demoCaptions, prompt, n, steps, guidance, seed);
    }

    public SuTIRequest withSteps(int s) {
        return new SuTIRequest(demoImages, demoCaptions, prompt, images, s, guidance, seed);
    }

    public SuTIRequest withGuidance(InterleavedGuidance g) {
        return new SuTIRequest(demoImages, demoCaptions, prompt, images, steps, g, seed);
    }

    public SuTIRequest withSeed(long s) {
        return new SuTIRequest(demoImages, demoCaptions, prompt, images, steps, guidance, s);
    }
}
