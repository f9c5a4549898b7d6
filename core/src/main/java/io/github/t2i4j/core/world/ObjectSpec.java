package io.github.t2i4j.core.world;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a caption says about one object: the shape (always named, it is the noun) and, where the caption
 * says so, its colour, texture and size; {@code null} means "not specified" (any value is fine).
 */
public record ObjectSpec(Shape shape, Colour colour, Texture texture, Size size) {

    public ObjectSpec {
        Objects.requireNonNull(shape, "shape");
    }

    /** Just a shape, nothing else specified. */
    public static ObjectSpec of(Shape shape) {
        return new ObjectSpec(shape, null, null, null);
    }

    /** A shape and a colour. */
    public static ObjectSpec of(Colour colour, Shape shape) {
        return new ObjectSpec(shape, colour, null, null);
    }

    /** Whether the object has the shape and every specified attribute. */
    public boolean matches(SceneObject o) {
        return o.shape() == shape
                && (colour == null || o.colour() == colour)
                && (texture == null || o.texture() == texture)
                && (size == null || o.size() == size);
    }

    /** Whether colour and shape are given and form a held-out pair (see {@link WorldSplit}). */
    public boolean isHeldOutCombination() {
        return colour != null && WorldSplit.isHeldOut(colour, shape);
    }

    /** Canonical description, e.g. "large red striped circle" (size, colour, texture, shape). */
    public String describe() {
        List<String> words = new ArrayList<>();
        if (size != null) {
            words.add(size.word());
        }
        if (colour != null) {
            words.add(colour.word());
        }
        if (texture != null) {
            words.add(texture.word());
        }
        words.add(shape.word());
        return String.join(" ", words);
    }

    /** The fully specified spec of a scene object. */
    public static ObjectSpec exactly(SceneObject o) {
        return new ObjectSpec(o.shape(), o.colour(), o.texture(), o.size());
    }
}
