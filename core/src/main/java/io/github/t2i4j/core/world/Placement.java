package io.github.t2i4j.core.world;

/**
 * Where an object is and how big: the centre of its bounding box in image coordinates in [0, 1]
 * (x to the right as a fraction of the width, y downwards as a fraction of the height) and its extent
 * (larger bounding-box side as a fraction of min(width, height)). This is all {@link Relation}s look
 * at, so the generator (from a {@link SceneObject}) and the evaluator (from measured pixels) check
 * relations the same way.
 */
public record Placement(double x, double y, double extent) {

    /** Placement of a detected region from its pixel bounding box [x0, x1) x [y0, y1) in a w x h image. */
    public static Placement ofPixels(double x0, double y0, double x1, double y1, int width, int height) {
        return new Placement(
                (x0 + x1) / 2 / width, (y0 + y1) / 2 / height, Math.max(x1 - x0, y1 - y0) / Math.min(width, height));
    }

}
