package io.github.t2i4j.suti.training;

import java.util.SplittableRandom;

/**
 * SuTI's conditioning dropout for classifier-free guidance: a training example keeps both
 * conditions, loses the demonstrations only ({@code demoOnly}, 10% in the paper), or loses the text
 * and the demonstrations ({@code textAndDemo}, 10%), so that the model also learns {@code e(x, text,
 * none)} and {@code e(x, empty, none)} for the {@link io.github.t2i4j.suti.model.InterleavedGuidance}.
 * A dropped text is the empty caption (what the pipeline encodes as the unconditional prompt); dropped
 * demonstrations are all-zero tokens.
 *
 * @param textAndDemo probability of dropping the text and the demonstrations
 * @param demoOnly probability of dropping the demonstrations only
 */
public record ConditionDropout(double textAndDemo, double demoOnly) {

    /** What an example keeps. */
    public enum Kept {
        /** Text and demonstrations. */
        BOTH,
        /** The text only (demonstrations dropped). */
        TEXT,
        /** Nothing (text and demonstrations dropped). */
        NONE;

        public boolean text() {
            return this != NONE;
        }

        public boolean demonstrations() {
            return this == BOTH;
        }
    }

    public ConditionDropout {
        if (!(textAndDemo >= 0) || !(demoOnly >= 0) || !(textAndDemo + demoOnly <= 1)) {
            throw new IllegalArgumentException("dropout probabilities must be >= 0 with a sum <= 1: text+demo "
                    + textAndDemo + ", demo only " + demoOnly);
        }
    }

    /** The paper's 10% text and demonstrations, 10% demonstrations only. */
    public static ConditionDropout defaults() {
        return new ConditionDropout(0.1, 0.1);
    }

    /** One example's draw: one {@code nextDouble} of {@code rng}. */
    public Kept draw(SplittableRandom rng) {
        double u = rng.nextDouble();
        if (u < textAndDemo) {
            return Kept.NONE;
        }
        return u < textAndDemo + demoOnly ? Kept.TEXT : Kept.BOTH;
    }
}
