package io.github.t2i4j.core.world.eval;

import java.awt.image.BufferedImage;

/** An RGB image as three float planes in [0, 1], row-major; the evaluator's working copy of a picture. */
final class RgbImage {
    final int width;
    final int height;
    final float[] r;
    final float[] g;
    final float[] b;

    private RgbImage(int width, int height) {
        this.width = width;
        this.height = height;
        int n = width * height;
        r = new float[n];
        g = new float[n];
        b = new float[n];
    }

    /** Reads any BufferedImage (alpha, if any, is ignored). */
    static RgbImage of(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        RgbImage out = new RgbImage(w, h);
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i];
            out.r[i] = ((p >> 16) & 0xFF) / 255f;
            out.g[i] = ((p >> 8) & 0xFF) / 255f;
            out.b[i] = (p & 0xFF) / 255f;
        }
        return out;
    }

    int size() {
        return width * height;
    }
}
