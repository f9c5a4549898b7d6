package io.github.t2i4j.examples;

import picocli.CommandLine.Option;

/** The weights of a decoder job's {@code ReconstructionLoss} terms, for {@code train vae} and {@code train star-tokenizer}. */
final class ReconstructionLossOptions {
    @Option(names = "--gradient-weight", paramLabel = "W",
            description = "Weight of the image-gradient L1 term that sharpens edges, stripes and dots (default: the job's).")
    Double gradientWeight;

    @Option(names = "--texture-weight", paramLabel = "W",
            description = "Weight of the local texture-statistics term that asks for dots where the render has dots"
                    + " (default: the job's).")
    Double textureWeight;

    /** The given gradient weight, or {@code fallback}. */
    double gradientOr(double fallback) {
        return gradientWeight != null ? gradientWeight : fallback;
    }

    /** The given texture weight, or {@code fallback}. */
    double textureOr(double fallback) {
        return textureWeight != null ? textureWeight : fallback;
    }

    /** Whether either weight was given. */
    boolean given() {
        return gradientWeight != null || textureWeight != null;
    }
}
