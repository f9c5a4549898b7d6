package io.github.t2i4j.core.world;

import java.util.Locale;

/**
 * Surface pattern of an object. Patterns are painted in the object's own {@link Colour#shade()} (same
 * hue, 55% brightness), never in white or the background colour, so the silhouette stays one connected
 * region of one hue and colour classification is unaffected.
 *
 * <ul>
 *   <li>{@link #SOLID}: base colour only;
 *   <li>{@link #STRIPED}: horizontal stripes, period 1/16 of the image height (4 px at 64x64), half of
 *       each period shaded, the first stripe starting a quarter period below the object's top;
 *   <li>{@link #DOTTED}: round dots of diameter 1/20 of the image's smaller side (3.2 px at 64) on a
 *       staggered (hexagonal) grid of spacing 1/11.5 (5.6 px), one dot on the object's centre.
 * </ul>
 */
public enum Texture {
    SOLID,
    STRIPED,
    DOTTED;

    /** The canonical caption word, e.g. "striped". */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a canonical word (as written by {@link #word()}). */
    public static Texture of(String word) {
        return valueOf(word.toUpperCase(Locale.ROOT));
    }
}
