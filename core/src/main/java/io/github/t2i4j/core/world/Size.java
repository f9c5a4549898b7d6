package io.github.t2i4j.core.world;

import java.util.Locale;

/**
 * Object size: the extent (larger side of the bounding box) as a fraction of the image's smaller side.
 * SMALL is 0.22 (14 px at 64x64), LARGE 0.375 (24 px); the ratio 1.7 is well above the 1.3 threshold
 * of {@link Relation#BIGGER_THAN}.
 */
public enum Size {
    SMALL(0.22),
    LARGE(0.375);

    private final double extent;

    Size(double extent) {
        this.extent = extent;
    }

    /** Extent as a fraction of min(width, height). */
    public double extent() {
        return extent;
    }

    /** The canonical caption word, e.g. "small". */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a canonical word (as written by {@link #word()}). */
    public static Size of(String word) {
        return valueOf(word.toUpperCase(Locale.ROOT));
    }
}
