package io.github.t2i4j.core.metrics;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.image.Images;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How well an autoencoder (a VAE, a VQ tokenizer) reconstructs images, accumulated over chunks:
 * the mean squared error with pixels in [0, 1] (images and reconstructions come in [-1, 1]), its
 * PSNR, and optionally a grid of the first chunk's first originals above their reconstructions.
 */
public final class ReconstructionError {
    private static final int GRID_COLUMNS = 8;

    private final boolean keepGrid;
    private final List<BufferedImage> originals = new ArrayList<>();
    private final List<BufferedImage> reconstructions = new ArrayList<>();
    private double sumSq;
    private long count;
    private boolean first = true;

    /** @param keepGrid keep the first chunk's images for {@link #writeGrid} */
    public ReconstructionError(boolean keepGrid) {
        this.keepGrid = keepGrid;
    }

    /** Adds a chunk: images and their reconstructions, same shape, in [-1, 1]. */
    public void add(NDArray images, NDArray reconstructed) {
        // [-1, 1] -> [0, 1] halves the error, so the squared error is a quarter
        float[] d = reconstructed.sub(images).toFloatArray();
        for (float f : d) {
            sumSq += (double) f * f / 4;
        }
        count += d.length;
        if (keepGrid && first) {
            List<BufferedImage> orig = Images.toImages(images);
            List<BufferedImage> rec = Images.toImages(reconstructed);
            originals.addAll(orig.subList(0, Math.min(GRID_COLUMNS, orig.size())));
            reconstructions.addAll(rec.subList(0, Math.min(GRID_COLUMNS, rec.size())));
        }
        first = false;
    }

    /** Mean squared error over every pixel and channel added (pixels in [0, 1]). */
    public double mse() {
        return sumSq / count;
    }

    /** Peak signal-to-noise ratio in dB (peak 1). */
    public double psnr() {
        return 10 * Math.log10(1 / mse());
    }

    /** Writes the originals (top row) above their reconstructions, when any were kept. */
    public void writeGrid(Path file) {
        if (originals.isEmpty() && reconstructions.isEmpty()) {
            return;
        }
        List<BufferedImage> cells = new ArrayList<>(originals);
        cells.addAll(reconstructions);
        Images.writePng(Images.grid(cells, null, cells.size() / 2), file);
    }
}
