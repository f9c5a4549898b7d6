package io.github.t2i4j.core.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/** Conversion between image tensors in [-1, 1] and {@link BufferedImage}s, PNG files and grids. */
public final class Images {
    private Images() {}

    /** [B, 3, H, W] in [-1, 1] to RGB images (values clamped, rounded as diffusers does). */
    public static List<BufferedImage> toImages(NDArray images) {
        long b = images.getShape().get(0);
        int h = (int) images.getShape().get(2);
        int w = (int) images.getShape().get(3);
        NDArray bytes =
                images.add(1f).mul(127.5f).clip(0f, 255f).round().toType(DataType.UINT8, false);
        byte[] data = bytes.transpose(0, 2, 3, 1).toByteArray();
        List<BufferedImage> out = new ArrayList<>();
        int stride = h * w * 3;
        for (int n = 0; n < b; n++) {
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int i = n * stride + (y * w + x) * 3;
                    int rgb = (data[i] & 0xFF) << 16 | (data[i + 1] & 0xFF) << 8 | (data[i + 2] & 0xFF);
                    img.setRGB(x, y, rgb);
                }
            }
            out.add(img);
        }
        return out;
    }

    /** RGB image to a [3, H, W] float array in [-1, 1]. */
    public static float[] toCHW(BufferedImage img) {
        int h = img.getHeight();
        int w = img.getWidth();
        float[] out = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                int i = y * w + x;
                out[i] = ((rgb >> 16) & 0xFF) / 127.5f - 1f;
                out[h * w + i] = ((rgb >> 8) & 0xFF) / 127.5f - 1f;
                out[2 * h * w + i] = (rgb & 0xFF) / 127.5f - 1f;
            }
        }
        return out;
    }

    /** Resizes with bilinear interpolation (for feeding images to a model of another input size). */
    public static BufferedImage resize(BufferedImage img, int width, int height) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(img, 0, 0, width, height, null);
        g.dispose();
        return out;
    }

    /** Writes a PNG atomically (temporary file, then rename), creating parent folders. */
    public static void writePng(BufferedImage img, Path path) {
        try {
            Path dir = path.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".tmp-", ".png");
            try {
                if (!ImageIO.write(img, "png", tmp.toFile())) {
                    throw new IOException("no PNG writer available");
                }
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path, e);
        }
    }

    /** Reads an image file as RGB. */
    public static BufferedImage read(Path path) {
        try {
            BufferedImage img = ImageIO.read(path.toFile());
            if (img == null) {
                throw new IOException("not a readable image");
            }
            return img;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read image " + path, e);
        }
    }

    /**
     * Lays images out in a grid of {@code columns}, each with an optional caption underneath
     * (null or empty captions leave no band).
     */
    public static BufferedImage grid(List<BufferedImage> images, List<String> captions, int columns) {
        return grid(images, captions, null, columns);
    }

    /**
     * As {@link #grid(List, List, int)}, with a green tick or red cross in each cell's corner
     * where {@code marks} says true or false (null: no marks). Marks are drawn, not typeset, so
     * they need no font.
     */
    public static BufferedImage grid(List<BufferedImage> images, List<String> captions, List<Boolean> marks, int columns) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images to lay out");
        }
        int cw = images.stream().mapToInt(BufferedImage::getWidth).max().orElse(0);
        int ch = images.stream().mapToInt(BufferedImage::getHeight).max().orElse(0);
        boolean captioned = captions != null && captions.stream().anyMatch(c -> c != null && !c.isEmpty());
        int band = captioned ? 14 : 0;
        int pad = 2;
        int cols = Math.min(columns, images.size());
        int rows = (images.size() + cols - 1) / cols;
        BufferedImage out =
                new BufferedImage(
                        cols * (cw + pad) + pad, rows * (ch + band + pad) + pad, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        for (int i = 0; i < images.size(); i++) {
            int x = pad + (i % cols) * (cw + pad);
            int y = pad + (i / cols) * (ch + band + pad);
            g.drawImage(images.get(i), x, y, null);
            if (marks != null && i < marks.size() && marks.get(i) != null) {
                drawMark(g, marks.get(i), x + cw - 11, y + 1);
            }
            if (captioned && i < captions.size() && captions.get(i) != null) {
                g.setColor(Color.BLACK);
                g.drawString(fit(g, captions.get(i), cw), x + 1, y + ch + 11);
            }
        }
        g.dispose();
        return out;
    }

    private static void drawMark(Graphics2D g, boolean ok, int x, int y) {
        g.setColor(Color.WHITE);
        g.fillRect(x, y, 10, 10);
        g.setStroke(new java.awt.BasicStroke(2f));
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        if (ok) {
            g.setColor(new Color(0, 150, 0));
            g.drawPolyline(new int[] {x + 2, x + 4, x + 8}, new int[] {y + 5, y + 8, y + 2}, 3);
        } else {
            g.setColor(new Color(200, 0, 0));
            g.drawLine(x + 2, y + 2, x + 8, y + 8);
            g.drawLine(x + 8, y + 2, x + 2, y + 8);
        }
        g.setStroke(new java.awt.BasicStroke(1f));
    }

    private static String fit(Graphics2D g, String s, int width) {
        if (g.getFontMetrics().stringWidth(s) <= width) {
            return s;
        }
        String t = s;
        while (t.length() > 1 && g.getFontMetrics().stringWidth(t + "…") > width) {
            t = t.substring(0, t.length() - 1);
        }
        return t + "…";
    }
}
