package io.github.t2i4j.core.world.eval;

import io.github.t2i4j.core.world.Colour;
import io.github.t2i4j.core.world.Placement;
import io.github.t2i4j.core.world.SceneObject;
import io.github.t2i4j.core.world.Shape;
import io.github.t2i4j.core.world.Size;
import io.github.t2i4j.core.world.Texture;
import java.util.Locale;

/**
 * One object found in an image: its classified attributes, its measured {@link Placement} (what
 * relations are checked on), its sub-pixel bounding box {@code [x0, x1) x [y0, y1)} in pixels, and the
 * measurements behind the decisions (for debugging and reports): pixel count, mean hue in degrees, the
 * silhouette's distance to the best shape prototype and to the best other shape, the texture energy
 * above noise and its orientation ((ey - ex) / (ey + ex), +1 for horizontal stripes). An object whose
 * silhouette is far from every shape's ({@link CompositionEvaluator#MAX_SHAPE_DISTANCE}) is not
 * {@code recognised}: it is reported but no prompt object can be matched to it.
 */
public record DetectedObject(
        Shape shape,
        Colour colour,
        Texture texture,
        Size size,
        Placement placement,
        double x0,
        double y0,
        double x1,
        double y1,
        int pixels,
        double hue,
        double shapeDistance,
        double shapeRunnerUpDistance,
        boolean recognised,
        double textureEnergy,
        double textureOrientation) {

    /** The object as a scene object at its measured centre (for {@link io.github.t2i4j.core.world.CompositionPrompt#match}). */
    public SceneObject toSceneObject() {
        return new SceneObject(shape, colour, texture, size, clamp(placement.x()), clamp(placement.y()));
    }

    /** E.g. "large red striped circle at (0.25, 0.50), extent 0.37". */
    public String describe() {
        return String.format(
                Locale.ROOT,
                "%s %s %s %s at (%.2f, %.2f), extent %.3f",
                size.word(),
                colour.word(),
                texture.word(),
                shape.word(),
                placement.x(),
                placement.y(),
                placement.extent());
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }
}
