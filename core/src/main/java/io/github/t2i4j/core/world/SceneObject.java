package io.github.t2i4j.core.world;

import java.util.Objects;

/**
 * One object of a scene: every attribute is set, and (x, y) is the centre of its bounding box in
 * image coordinates in [0, 1] (x right, y down). Its bounding box is {@code size.extent()} of the
 * image's smaller side (see {@link Shape} for how each shape fills it).
 */
public record SceneObject(Shape shape, Colour colour, Texture texture, Size size, double x, double y) {

    public SceneObject {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(colour, "colour");
        Objects.requireNonNull(texture, "texture");
        Objects.requireNonNull(size, "size");
        if (!(x >= 0 && x <= 1 && y >= 0 && y <= 1)) {
            throw new IllegalArgumentException("centre outside [0, 1]: " + x + ", " + y);
        }
    }

    /** The geometry relations are checked on. */
    public Placement placement() {
        return new Placement(x, y, size.extent());
    }

    /** Same object moved to another centre. */
    public SceneObject at(double nx, double ny) {
        return new SceneObject(shape, colour, texture, size, nx, ny);
    }

    /** Whether this object's colour-shape pair is one reserved for held-out prompts. */
    public boolean isHeldOutCombination() {
        return WorldSplit.isHeldOut(colour, shape);
    }

    /** E.g. "large red striped circle at (0.25, 0.50)". */
    public String describe() {
        return String.format(
                java.util.Locale.ROOT,
                "%s %s %s %s at (%.2f, %.2f)",
                size.word(),
                colour.word(),
                texture.word(),
                shape.word(),
                x,
                y);
    }
}
