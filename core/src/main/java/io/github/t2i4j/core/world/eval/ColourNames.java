package io.github.t2i4j.core.world.eval;

import io.github.t2i4j.core.world.Colour;

/**
 * Names colours by hue. A pixel's chromatic vector is {@code (a, b) = (r - (g + b) / 2, sqrt(3) / 2 (g - b))}
 * (the hexagonal opponent plane of HSV: its angle is the hue, its length the chroma, and grey or white
 * backgrounds map to ~0). The world's texture shades are their base colours times a factor, so they have
 * the same hue, and averaging the vectors of an object's pixels cancels noise. The reference hues are
 * computed from {@link Colour#rgb()}, so the namer follows the world's palette.
 */
final class ColourNames {
    private static final double SQRT3_2 = Math.sqrt(3) / 2;
    private static final Colour[] COLOURS = Colour.values();
    private static final double[] HUES = new double[COLOURS.length];

    static {
        for (int i = 0; i < COLOURS.length; i++) {
            int rgb = COLOURS[i].rgb();
            HUES[i] = hue(((rgb >> 16) & 0xFF) / 255.0, ((rgb >> 8) & 0xFF) / 255.0, (rgb & 0xFF) / 255.0);
        }
    }

    private ColourNames() {}

    static double a(double r, double g, double b) {
        return r - (g + b) / 2;
    }

    static double b(double r, double g, double b) {
        return SQRT3_2 * (g - b);
    }

    /** Hue angle in degrees [0, 360). */
    static double hue(double r, double g, double b) {
        return angle(a(r, g, b), b(r, g, b));
    }

    /** Angle of a chromatic vector in degrees [0, 360). */
    static double angle(double a, double b) {
        double deg = Math.toDegrees(Math.atan2(b, a));
        return deg < 0 ? deg + 360 : deg;
    }

    /** Index into {@link Colour#values()} of the colour whose hue is nearest. */
    static int nearest(double hueDegrees) {
        int best = 0;
        double bestDiff = Double.MAX_VALUE;
        for (int i = 0; i < HUES.length; i++) {
            double d = hueDistance(hueDegrees, HUES[i]);
            if (d < bestDiff) {
                bestDiff = d;
                best = i;
            }
        }
        return best;
    }

    /** The nearest named colour. */
    static Colour name(double hueDegrees) {
        return COLOURS[nearest(hueDegrees)];
    }

    /** Reference hue of a colour. */
    static double referenceHue(Colour c) {
        return HUES[c.ordinal()];
    }

    /** Absolute circular difference in degrees, in [0, 180]. */
    static double hueDistance(double h1, double h2) {
        double d = Math.abs(h1 - h2) % 360;
        return d > 180 ? 360 - d : d;
    }
}
