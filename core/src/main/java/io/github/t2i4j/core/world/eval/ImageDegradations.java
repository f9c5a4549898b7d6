package io.github.t2i4j.core.world.eval;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.SplittableRandom;

/**
 * Degradations that generated images show, for robustness tests and reports: additive Gaussian noise,
 * blur, per-channel colour gain/offset and hue rotation. Every function returns a new 8-bit RGB image
 * (values clamped and rounded, as a generator's output would be) and leaves its input alone; random ones
 * take an explicit random source so results are reproducible.
 */
public final class ImageDegradations {
    private ImageDegradations() {}

    /** Adds independent N(0, sigma^2) noise to every channel of every pixel, sigma on the [0, 1] scale. */
    public static BufferedImage gaussianNoise(BufferedImage img, double sigma, SplittableRandom rng) {
        float[][] p = planes(img);
        for (float[] c : p) {
            for (int i = 0; i < c.length; i++) {
                c[i] += (float) (sigma * rng.nextGaussian());
            }
        }
        return image(p, img.getWidth(), img.getHeight());
    }

    /** Mean over the (2 radius + 1)^2 neighbourhood (edges clamped); radius 1 is the 3x3 box blur. */
    public static BufferedImage boxBlur(BufferedImage img, int radius) {
        double[] k = new double[2 * radius + 1];
        java.util.Arrays.fill(k, 1.0 / k.length);
        return separable(img, k);
    }

    /** Gaussian blur with the given sigma in pixels (kernel radius ceil(3 sigma), edges clamped). */
    public static BufferedImage gaussianBlur(BufferedImage img, double sigma) {
        int radius = Math.max(1, (int) Math.ceil(3 * sigma));
        double[] k = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) {
            k[i + radius] = Math.exp(-i * i / (2 * sigma * sigma));
            sum += k[i + radius];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        return separable(img, k);
    }

    /** Per-channel {@code v * gain[c] + offset[c]} on the [0, 1] scale (R, G, B order). */
    public static BufferedImage colourShift(BufferedImage img, double[] gain, double[] offset) {
        float[][] p = planes(img);
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < p[c].length; i++) {
                p[c][i] = (float) (p[c][i] * gain[c] + offset[c]);
            }
        }
        return image(p, img.getWidth(), img.getHeight());
    }

    /** Rotates every pixel's HSV hue by the given angle in degrees (saturation and value kept). */
    public static BufferedImage hueShift(BufferedImage img, double degrees) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] rgb = img.getRGB(0, 0, w, h, null, 0, w);
        float[] hsb = new float[3];
        float shift = (float) (degrees / 360.0);
        for (int i = 0; i < rgb.length; i++) {
            int p = rgb[i];
            Color.RGBtoHSB((p >> 16) & 0xFF, (p >> 8) & 0xFF, p & 0xFF, hsb);
            float hue = hsb[0] + shift;
            hue -= (float) Math.floor(hue);
            rgb[i] = Color.HSBtoRGB(hue, hsb[1], hsb[2]) & 0xFFFFFF;
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, w, h, rgb, 0, w);
        return out;
    }

    /**
     * A small random colour cast: per-channel gain uniform in [1 - maxGain, 1 + maxGain], offset uniform in
     * [-maxOffset, maxOffset], then a hue rotation uniform in [-maxHueDegrees, maxHueDegrees].
     */
    public static BufferedImage randomColourShift(
            BufferedImage img, double maxGain, double maxOffset, double maxHueDegrees, SplittableRandom rng) {
        double[] gain = new double[3];
        double[] offset = new double[3];
        for (int c = 0; c < 3; c++) {
            gain[c] = 1 + (2 * rng.nextDouble() - 1) * maxGain;
            offset[c] = (2 * rng.nextDouble() - 1) * maxOffset;
        }
        double hue = (2 * rng.nextDouble() - 1) * maxHueDegrees;
        return hueShift(colourShift(img, gain, offset), hue);
    }

    private static BufferedImage separable(BufferedImage img, double[] k) {
        int w = img.getWidth();
        int h = img.getHeight();
        int r = k.length / 2;
        float[][] p = planes(img);
        float[][] out = new float[3][w * h];
        for (int c = 0; c < 3; c++) {
            float[] tmp = new float[w * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double s = 0;
                    for (int j = -r; j <= r; j++) {
                        int xx = Math.min(w - 1, Math.max(0, x + j));
                        s += k[j + r] * p[c][y * w + xx];
                    }
                    tmp[y * w + x] = (float) s;
                }
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double s = 0;
                    for (int j = -r; j <= r; j++) {
                        int yy = Math.min(h - 1, Math.max(0, y + j));
                        s += k[j + r] * tmp[yy * w + x];
                    }
                    out[c][y * w + x] = (float) s;
                }
            }
        }
        return image(out, w, h);
    }

    private static float[][] planes(BufferedImage img) {
        RgbImage rgb = RgbImage.of(img);
        return new float[][] {rgb.r.clone(), rgb.g.clone(), rgb.b.clone()};
    }

    private static BufferedImage image(float[][] p, int w, int h) {
        int[] rgb = new int[w * h];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = byteOf(p[0][i]) << 16 | byteOf(p[1][i]) << 8 | byteOf(p[2][i]);
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, w, h, rgb, 0, w);
        return out;
    }

    private static int byteOf(float v) {
        return (int) Math.max(0, Math.min(255, Math.round(v * 255f)));
    }
}
