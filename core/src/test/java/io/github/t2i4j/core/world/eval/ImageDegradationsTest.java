package io.github.t2i4j.core.world.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ImageDegradationsTest {

    @Test
    void noiseHasTheRequestedSigmaAndLeavesTheInputAlone() {
        BufferedImage grey = flat(128, 128, new Color(128, 128, 128));
        BufferedImage noisy = ImageDegradations.gaussianNoise(grey, 0.05, new SplittableRandom(1));
        assertNotSame(grey, noisy);
        RgbImage n = RgbImage.of(noisy);
        double sum = 0;
        double sq = 0;
        for (float v : n.g) {
            sum += v;
            sq += v * v;
        }
        double mean = sum / n.g.length;
        double sigma = Math.sqrt(sq / n.g.length - mean * mean);
        assertEquals(128 / 255.0, mean, 0.003);
        assertEquals(0.05, sigma, 0.003);
        assertEquals(0xFF808080, grey.getRGB(5, 5));
    }

    @Test
    void blursKeepFlatImagesAndSpreadAnEdge() {
        BufferedImage flat = flat(16, 16, new Color(10, 200, 90));
        assertEquals(flat.getRGB(3, 3), ImageDegradations.boxBlur(flat, 1).getRGB(3, 3));
        assertEquals(flat.getRGB(3, 3), ImageDegradations.gaussianBlur(flat, 0.7).getRGB(8, 8));

        BufferedImage edge = flat(16, 16, Color.BLACK);
        for (int y = 0; y < 16; y++) {
            for (int x = 8; x < 16; x++) {
                edge.setRGB(x, y, 0xFFFFFF);
            }
        }
        BufferedImage box = ImageDegradations.boxBlur(edge, 1);
        assertEquals(85, box.getRGB(7, 5) & 0xFF); // (0 + 0 + 255) / 3
        assertEquals(170, box.getRGB(8, 5) & 0xFF);
        assertEquals(0, box.getRGB(6, 5) & 0xFF);
    }

    @Test
    void colourShiftAndHueRotation() {
        BufferedImage red = flat(4, 4, new Color(200, 40, 40));
        assertEquals(red.getRGB(0, 0), ImageDegradations.colourShift(red, new double[] {1, 1, 1}, new double[3]).getRGB(0, 0));
        BufferedImage shifted = ImageDegradations.colourShift(red, new double[] {1.1, 1, 0.5}, new double[] {0, 0.1, 0});
        assertEquals(new Color(220, 66, 20).getRGB(), shifted.getRGB(1, 1));
        Color green = new Color(ImageDegradations.hueShift(red, 120).getRGB(0, 0));
        assertEquals(40, green.getRed(), 1);
        assertEquals(200, green.getGreen(), 1);
        assertEquals(40, green.getBlue(), 1);
        Color same = new Color(ImageDegradations.hueShift(red, 360).getRGB(0, 0));
        assertEquals(200, same.getRed(), 1);
        assertEquals(40, same.getGreen(), 1);
    }

    private static BufferedImage flat(int w, int h, Color c) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, c.getRGB());
            }
        }
        return img;
    }
}
