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
 *   <li>{@link #DOTTED}: round dots of diameter 1/26 of the image size (~2.5 px at 64) on a staggered
 *       grid of spacing 1/13 (~5 px), centred on the object's centre.
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
