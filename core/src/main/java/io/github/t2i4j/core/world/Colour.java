package io.github.t2i4j.core.world;

import java.awt.Color;
import java.util.Locale;

/**
 * The six object colours: saturated, with hues about 30-90 degrees apart (red 0, orange ~30,
 * yellow ~50, green ~130, blue ~225, purple ~280), far from the light unsaturated {@link Background}s.
 * Each has an exact RGB value and a texture {@link #shade()} of the same hue at 55% brightness, so a
 * pixel's hue identifies its object's colour whether it lies on the base or the texture.
 */
public enum Colour {
    RED(220, 38, 38),
    GREEN(34, 170, 68),
    BLUE(40, 80, 225),
    YELLOW(240, 210, 30),
    PURPLE(150, 60, 205),
    ORANGE(245, 135, 20);

    /** Brightness factor of the texture shade (stripes, dots) relative to the base colour. */
    public static final double SHADE = 0.55;

    private final int r;
    private final int g;
    private final int b;

    Colour(int r, int g, int b) {
        this.r = r;
        this.g = g;
        this.b = b;
    }

    /** Exact 0xRRGGBB of the base colour. */
    public int rgb() {
        return r << 16 | g << 8 | b;
    }

    /** Exact 0xRRGGBB of the texture shade: each channel times {@link #SHADE}, rounded. */
    public int shadeRgb() {
        return (int) Math.round(r * SHADE) << 16 | (int) Math.round(g * SHADE) << 8 | (int) Math.round(b * SHADE);
    }

    /** The base colour as an AWT colour. */
    public Color color() {
        return new Color(rgb());
    }

    /** The texture shade as an AWT colour. */
    public Color shade() {
        return new Color(shadeRgb());
    }

    /** The canonical caption word, e.g. "red". */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a canonical word (as written by {@link #word()}). */
    public static Colour of(String word) {
        return valueOf(word.toUpperCase(Locale.ROOT));
    }
}
