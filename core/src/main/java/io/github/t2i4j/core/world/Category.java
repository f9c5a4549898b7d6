package io.github.t2i4j.core.world;

import java.util.List;
import java.util.Locale;

/**
 * Prompt categories. The first six mirror T2I-CompBench and make up the "overall" score;
 * {@link #SINGLE} (one object) is reported separately and is not part of overall.
 *
 * <ul>
 *   <li>{@link #COLOR}: two objects, each with a colour ("a red circle and a blue square");
 *   <li>{@link #SHAPE}: two objects, each with a size adjective, as T2I-CompBench counts big/small among
 *       shape attributes ("a big star and a small red circle");
 *   <li>{@link #TEXTURE}: two objects, each with a texture ("a striped circle and a dotted square");
 *   <li>{@link #SPATIAL}: two objects and one of left of / right of / above / below;
 *   <li>{@link #NON_SPATIAL}: two objects and one of bigger than / smaller than / the same size as;
 *   <li>{@link #COMPLEX}: three objects with richer attributes and two relations, the first spatial, the
 *       second spatial or not;
 *   <li>{@link #SINGLE}: one object with zero to three attributes.
 * </ul>
 */
public enum Category {
    COLOR,
    SHAPE,
    TEXTURE,
    SPATIAL,
    NON_SPATIAL,
    COMPLEX,
    SINGLE;

    /** The six T2I-CompBench categories averaged into "overall" (all but {@link #SINGLE}). */
    public static final List<Category> COMPBENCH = List.of(COLOR, SHAPE, TEXTURE, SPATIAL, NON_SPATIAL, COMPLEX);

    /** Whether this category counts towards "overall". */
    public boolean isCompBench() {
        return this != SINGLE;
    }

    /** Key as in metrics.json and file names: "color", "shape", ..., "non_spatial", "single". */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@link #key()}. */
    public static Category of(String key) {
        return valueOf(key.toUpperCase(Locale.ROOT));
    }
}
