package io.github.t2i4j.core.pipelines;

import java.util.List;
import java.util.Objects;

/**
 * What to generate: prompts, guidance and sampling settings, as diffusers' pipeline call arguments.
 *
 * @param prompts one or more prompts (a batch)
 * @param negativePrompts one per prompt, or empty for the unconditional (empty) prompt
 * @param steps number of denoising steps
 * @param guidanceScale classifier-free guidance weight; at most 1 disables guidance
 * @param seed image {@code i} of the batch uses noise from {@code seed + i}
 * @param width image width in pixels, or null for the model's default
 * @param height image height in pixels, or null for the model's default
 * @param imagesPerPrompt images generated for each prompt
 * @param scheduler scheduler name to use instead of the model's ("ddim", "euler", ...), or null
 */
public record GenerationRequest(
        List<String> prompts,
        List<String> negativePrompts,
        int steps,
        float guidanceScale,
        long seed,
        Integer width,
        Integer height,
        int imagesPerPrompt,
        String scheduler) {

    public GenerationRequest {
        Objects.requireNonNull(prompts, "prompts");
        negativePrompts = negativePrompts == null ? List.of() : List.copyOf(negativePrompts);
        prompts = List.copyOf(prompts);
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("at least one prompt is required");
        }
        if (!negativePrompts.isEmpty() && negativePrompts.size() != 1 && negativePrompts.size() != prompts.size()) {
            throw new IllegalArgumentException(
                    "give one negative prompt, or one per prompt (" + prompts.size() + "), not " + negativePrompts.size());
        }
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1, got " + steps);
        }
        if (imagesPerPrompt < 1) {
            throw new IllegalArgumentException("images per prompt must be at least 1, got " + imagesPerPrompt);
        }
        if ((width != null && width <= 0) || (height != null && height <= 0)) {
            throw new IllegalArgumentException("width and height must be positive");
        }
    }

    /** Whether classifier-free guidance is on (diffusers: guidance_scale > 1). */
    public boolean guided() {
        return guidanceScale > 1f;
    }

    /** The negative prompt of prompt {@code i} ("" when none was given). */
    public String negativePrompt(int i) {
        if (negativePrompts.isEmpty()) {
            return "";
        }
        return negativePrompts.size() == 1 ? negativePrompts.get(0) : negativePrompts.get(i);
    }

    public static Builder builder(String... prompts) {
        return new Builder(List.of(prompts));
    }

    /** Builder with diffusers' defaults (50 steps, guidance 7.5, seed 0). */
    public static final class Builder {
        private final List<String> prompts;
        private List<String> negativePrompts = List.of();
        private int steps = 50;
        private float guidanceScale = 7.5f;
        private long seed;
        private Integer width;
        private Integer height;
        private int imagesPerPrompt = 1;
        private String scheduler;

        private Builder(List<String> prompts) {
            this.prompts = prompts;
        }

        public Builder negativePrompt(String... negatives) {
            this.negativePrompts = List.of(negatives);
            return this;
        }

        public Builder steps(int steps) {
            this.steps = steps;
            return this;
        }

        public Builder guidanceScale(float g) {
            this.guidanceScale = g;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder size(int width, int height) {
            this.width = width;
            this.height = height;
            return this;
        }

        public Builder imagesPerPrompt(int n) {
            this.imagesPerPrompt = n;
            return this;
        }

        public Builder scheduler(String name) {
            this.scheduler = name;
            return this;
        }

        public GenerationRequest build() {
            return new GenerationRequest(
                    prompts, negativePrompts, steps, guidanceScale, seed, width, height, imagesPerPrompt, scheduler);
        }
    }
}
