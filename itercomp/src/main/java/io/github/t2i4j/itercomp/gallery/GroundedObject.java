package io.github.t2i4j.itercomp.gallery;

import io.github.t2i4j.core.world.Placement;
import java.util.Objects;

/**
 * One object of a {@link Layout}: a phrase naming it ("red striped circle") and its bounding box
 * {@code [x0, x1] x [y0, y1]} in image coordinates in [0, 1] (x to the right, y downwards), as
 * GLIGEN's {@code gligen_phrases} and {@code gligen_boxes} (xyxy) give them.
 */
public record GroundedObject(String phrase, float x0, float y0, float x1, float y1) {

    public GroundedObject {
        Objects.requireNonNull(phrase, "phrase");
        if (phrase.isBlank()) {
            throw new IllegalArgumentException("a grounded object needs a phrase");
        }
        if (!(0 <= x0 && x0 < x1 && x1 <= 1 && 0 <= y0 && y0 < y1 && y1 <= 1)) {
            throw new IllegalArgumentException("box of '" + phrase + "' must satisfy 0 <= x0 < x1 <= 1 and"
                    + " 0 <= y0 < y1 <= 1, got [" + x0 + ", " + y0 + ", " + x1 + ", " + y1 + "]");
        }
    }

    /** The box as GLIGEN's xyxy row. */
    public float[] box() {
        return new float[] {x0, y0, x1, y1};
    }

    /**
     * The geometry the world's {@link io.github.t2i4j.core.world.Relation}s are checked on: the
     * box centre and its larger side (for a square image).
     */
    public Placement placement() {
        return new Placement((x0 + x1) / 2.0, (y0 + y1) / 2.0, Math.max(x1 - x0, y1 - y0));
    }
}
