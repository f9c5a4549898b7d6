package io.github.t2i4j.suti.subjects;

import java.util.Locale;

/**
 * The layout family of a subject's pattern (before its extra marks). None of them has a name in the
 * world's caption grammar, whose textures are one-colour stripes or dots in the object's own shade.
 *
 * <ul>
 *   <li>{@link #QUADRANTS}: the box cut into four at a seeded point near the centre, each part one of the
 *       subject's paints;
 *   <li>{@link #BANDS}: two to four equal vertical or horizontal bands, neighbours in different paints;
 *   <li>{@link #DIAGONAL}: one half, below a diagonal, in a second paint;
 *   <li>{@link #CORE}: an ellipse near the centre in a second paint, with an inner one in a third.
 * </ul>
 */
public enum Arrangement {
    QUADRANTS,
    BANDS,
    DIAGONAL,
    CORE;

    /** Lowercase name used in JSON. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@link #key()}. */
    public static Arrangement of(String key) {
        return valueOf(key.toUpperCase(Locale.ROOT));
    }
}
