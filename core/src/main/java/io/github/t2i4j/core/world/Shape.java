package io.github.t2i4j.core.world;

import java.util.Locale;

/**
 * The object shapes of the world. Each is drawn upright, filled, and scaled so that its bounding box
 * is {@code extent x extent} for a square-bounded shape and has its larger side equal to the extent
 * otherwise; the bounding box is centred on the object's centre. The six silhouettes differ in fill
 * ratio, convexity and symmetry, so a pixel classifier can tell them apart at 64x64:
 *
 * <ul>
 *   <li>{@link #CIRCLE}: disc, fills ~79% of its box;
 *   <li>{@link #SQUARE}: axis-aligned, fills 100%;
 *   <li>{@link #TRIANGLE}: upright isosceles, apex at top, base = height, fills 50%, top-bottom asymmetric;
 *   <li>{@link #STAR}: five-pointed, one point up, concave, fills ~38%;
 *   <li>{@link #CROSS}: plus sign with arms 0.38 of the extent wide, fills ~62%, corners empty;
 *   <li>{@link #DIAMOND}: square rotated 45 degrees, fills 50%, symmetric.
 * </ul>
 *
 * Names ({@link #word()}) are the canonical caption words; synonyms live in {@link CaptionGrammar}.
 */
public enum Shape {
    CIRCLE,
    SQUARE,
    TRIANGLE,
    STAR,
    CROSS,
    DIAMOND;

    /** The canonical caption word, e.g. "circle". */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a canonical word (as written by {@link #word()}). */
    public static Shape of(String word) {
        return valueOf(word.toUpperCase(Locale.ROOT));
    }
}
