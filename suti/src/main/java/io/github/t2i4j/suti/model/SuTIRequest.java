package io.github.t2i4j.suti.model;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Objects;

/**
 * One SuTI generation: the demonstrations of a subject (images with their captions; SuTI takes 3 to
 * 5), the prompts asking for it in new contexts, and how to sample.
 *
 * @param demoImages the demonstration images (resized to the model's size when they differ)
 * @param demoCaptions one caption per demonstration image
 * @param prompts the new-context prompts, all answered from the same demonstrations (one batch,
 *     the demonstrations encoded once), as core's {@code GenerationRequest} takes several
 * @param imagesPerPrompt images per prompt; image i of the batch (prompt by prompt) comes from latent
 *     noise of seed {@code seed + i}
 * @param steps sampling steps of the base model's scheduler
 * @param guidance the interleaved guidance (its choices drawn from the seed)
 * @param seed the noise seed; the same request gives the same pixels
 */
public record SuTIRequest(
        List<BufferedImage> demoImages,
        List<String> demoCaptions,
        List<String> prompts,
        int imagesPerPrompt,
        int steps,
        InterleavedGuidance guidance,
        long seed) {

    /** Sampling steps by default (the world model's DPM-Solver++ 2M needs about 20). */
    public static final int DEFAULT_STEPS = 20;

    public SuTIRequest {
        Objects.requireNonNull(guidance, "guidance");
        prompts = List.copyOf(prompts);
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("at least one prompt is required");
        }
        demoImages = List.copyOf(demoImages);
        demoCaptions = List.copyOf(demoCaptions);
        if (demoImages.isEmpty()) {
            throw new IllegalArgumentException("SuTI needs at least one demonstration (3 to 5 as trained)");
        }
        if (demoImages.size() != demoCaptions.size()) {
            throw new IllegalArgumentException("need one caption per demonstration image: " + demoImages.size()
                    + " images, " + demoCaptions.size() + " captions");
        }
        if (imagesPerPrompt < 1 || steps < 1) {
            throw new IllegalArgumentException("images per prompt and steps must be positive: " + imagesPerPrompt + ", "
                    + steps);
        }
    }

    /** One image of one prompt with {@value #DEFAULT_STEPS} steps, the default guidance and seed 0. */
    public static SuTIRequest of(List<BufferedImage> demoImages, List<String> demoCaptions, String prompt) {
        return new SuTIRequest(demoImages, demoCaptions, List.of(prompt), 1, DEFAULT_STEPS, InterleavedGuidance.defaults(),
                0);
    }

    public SuTIRequest withImagesPerPrompt(int n) {
        return new SuTIRequest(demoImages, demoCaptions, prompts, n, steps, guidance, seed);
    }

    public SuTIRequest withPrompts(List<String> p) {
        return new SuTIRequest(demoImages, demoCaptions, p, imagesPerPrompt, steps, guidance, seed);
    }

    public SuTIRequest withSteps(int s) {
        return new SuTIRequest(demoImages, demoCaptions, prompts, imagesPerPrompt, s, guidance, seed);
    }

    public SuTIRequest withGuidance(InterleavedGuidance g) {
        return new SuTIRequest(demoImages, demoCaptions, prompts, imagesPerPrompt, steps, g, seed);
    }

    public SuTIRequest withSeed(long s) {
        return new SuTIRequest(demoImages, demoCaptions, prompts, imagesPerPrompt, steps, guidance, s);
    }
}
