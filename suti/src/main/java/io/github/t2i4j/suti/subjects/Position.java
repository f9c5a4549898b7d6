package io.github.t2i4j.suti.subjects;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Where in the picture a subject stands: nine regions named as captions name them. A subject is drawn
 * with its centre near {@link #x()}, {@link #y()} (jitter {@value #JITTER} on each axis); a measured
 * centre satisfies the position ({@link #holds}) when it is on the named side(s) of the image:
 * {@code x < } {@value #SIDE} for left, {@code x > 1 - SIDE} for right (likewise y for top and bottom;
 * a side position does not constrain the other axis), and within {@value #CENTRE_TOLERANCE} of the
 * middle on both axes for the centre.
 */
public enum Position {
    CENTRE(0.5, 0.5, "in the centre", "in the middle"),
    LEFT(0.27, 0.5, "on the left", "on the left side"),
    RIGHT(0.73, 0.5, "on the right", "on the right side"),
    TOP(0.5, 0.27, "at the top", "near the top"),
    BOTTOM(0.5, 0.73, "at the bottom", "near the bottom"),
    TOP_LEFT(0.27, 0.27, "at the top left", "in the top left corner"),
    TOP_RIGHT(0.73, 0.27, "at the top right", "in the top right corner"),
    BOTTOM_LEFT(0.27, 0.73, "at the bottom left", "in the bottom left corner"),
    BOTTOM_RIGHT(0.73, 0.73, "at the bottom right", "in the bottom right corner");

    /** Largest distance of a drawn centre from the position's nominal centre, per axis. */
    public static final double JITTER = 0.03;
    /** A centre is on the left when x is below this (on the right when above 1 - SIDE). */
    public static final double SIDE = 0.4;
    /** A centre is in the centre when both coordinates are within this of 0.5. */
    public static final double CENTRE_TOLERANCE = 0.12;

    private final double x;
    private final double y;
    private final String[] phrases;

    Position(double x, double y, String... phrases) {
        this.x = x;
        this.y = y;
        this.phrases = phrases;
    }

    /** Nominal centre x in [0, 1]. */
    public double x() {
        return x;
    }

    /** Nominal centre y in [0, 1] (down). */
    public double y() {
        return y;
    }

    /** The phrases captions use, canonical first, e.g. "on the left". */
    public String[] phrases() {
        return phrases.clone();
    }

    /** The canonical phrase. */
    public String phrase() {
        return phrases[0];
    }

    /** A centre near the nominal one (uniform jitter of {@link #JITTER} per axis). */
    public double[] sampleCentre(SplittableRandom rng) {
        return new double[] {x + JITTER * (2 * rng.nextDouble() - 1), y + JITTER * (2 * rng.nextDouble() - 1)};
    }

    /** Whether a measured centre (image fractions, y down) is at this position (see the class comment). */
    public boolean holds(double cx, double cy) {
        if (this == CENTRE) {
            return Math.abs(cx - 0.5) <= CENTRE_TOLERANCE && Math.abs(cy - 0.5) <= CENTRE_TOLERANCE;
        }
        boolean ok = true;
        if (x < 0.5) {
            ok &= cx < SIDE;
        } else if (x > 0.5) {
            ok &= cx > 1 - SIDE;
        }
        if (y < 0.5) {
            ok &= cy < SIDE;
        } else if (y > 0.5) {
            ok &= cy > 1 - SIDE;
        }
        return ok;
    }

    /** Lowercase name, e.g. "top_left". */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
