package io.github.t2i4j.suti.subjects;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * One concrete picture of a subject: its context and the exact centre it is drawn at (image fractions,
 * y down); the extent is the context's size.
 */
public record SubjectScene(Subject subject, SubjectContext context, double x, double y) {

    public SubjectScene {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(context, "context");
        if (!(x >= 0 && x <= 1 && y >= 0 && y <= 1)) {
            throw new IllegalArgumentException("centre outside [0, 1]: " + x + ", " + y);
        }
    }

    /** The subject in the context, at a centre drawn near the position's (see {@link Position#sampleCentre}). */
    public static SubjectScene stage(Subject subject, SubjectContext context, SplittableRandom rng) {
        double[] c = context.position().sampleCentre(rng);
        return new SubjectScene(subject, context, c[0], c[1]);
    }

    /** Extent (larger side of the bounding box) as a fraction of the image's smaller side. */
    public double extent() {
        return context.size().extent();
    }
}
