package io.github.t2i4j.core.world;

import java.awt.Color;
import java.util.Locale;

/**
 * Plain scene backgrounds: all light (every channel >= 220) and nearly unsaturated (HSV saturation
 * <= 0.09), so any pixel with saturation above ~0.3 belongs to an object. Backgrounds are never named
 * in captions; they vary so that generators and evaluators do not rely on one exact background.
 */
public enum Background {
    WHITE(255, 255, 255),
    LIGHT_GREY(226, 226, 226),
    BEIGE(245, 240, 226),
    LIGHT_BLUE(226, 236, 246);

    private final int rgb;

    Background(int r, int g, int b) {
        this.rgb = r << 16 | g << 8 | b;
    }

    /** Exact 0xRRGGBB. */
    public int rgb() {
        return rgb;
    }

    /** As an AWT colour. */
    public Color color() {
        return new Color(rgb);
    }

    /** Lowercase name used in JSON, e.g. "light_grey". */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@link #key()}. */
    public static Background of(String key) {
        return valueOf(key.toUpperCase(Locale.ROOT));
    }
}
