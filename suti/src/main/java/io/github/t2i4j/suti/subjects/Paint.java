package io.github.t2i4j.suti.subjects;

import io.github.t2i4j.core.world.Colour;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One colour of a subject's pattern: a world {@link Colour}, either its base or its dark
 * {@link Colour#shade() shade}. All twelve are saturated or dark, so every part of a subject stands
 * out from the light world {@link io.github.t2i4j.core.world.Background}s (RGB distance above 0.75)
 * and a subject is one foreground component whatever its pattern.
 */
public record Paint(Colour colour, boolean dark) {

    /** The twelve paints: the six colours, then their shades. */
    public static final List<Paint> ALL = all();

    /** Exact 0xRRGGBB. */
    public int rgb() {
        return dark ? colour.shadeRgb() : colour.rgb();
    }

    /** As an AWT colour. */
    public Color color() {
        return new Color(rgb());
    }

    /** RGB distance to another paint on the [0, 1] scale. */
    public double distance(Paint other) {
        int a = rgb();
        int b = other.rgb();
        double dr = (((a >> 16) & 0xFF) - ((b >> 16) & 0xFF)) / 255.0;
        double dg = (((a >> 8) & 0xFF) - ((b >> 8) & 0xFF)) / 255.0;
        double db = ((a & 0xFF) - (b & 0xFF)) / 255.0;
        return Math.sqrt(dr * dr + dg * dg + db * db);
    }

    /** E.g. "red" or "dark_red". */
    public String key() {
        return (dark ? "dark_" : "") + colour.word();
    }

    /** Parses {@link #key()}. */
    public static Paint of(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        boolean dark = k.startsWith("dark_");
        return new Paint(Colour.of(dark ? k.substring(5) : k), dark);
    }

    private static List<Paint> all() {
        List<Paint> out = new ArrayList<>();
        for (boolean dark : new boolean[] {false, true}) {
            for (Colour c : Colour.values()) {
                out.add(new Paint(c, dark));
            }
        }
        return List.copyOf(out);
    }
}
