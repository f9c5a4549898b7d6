package io.github.t2i4j.suti.training;

import io.github.t2i4j.suti.eval.LocatedSubject;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Per-position weights of a subject-weighted denoising loss: where a target image's subject lies
 * (its pixel coverage, found from the pixels by {@link LocatedSubject}), pooled to the latent grid,
 * counts {@code 1 + w * coverage}; each example's map is normalised to a mean of one, so the loss
 * keeps the plain MSE's scale and a target without a subject keeps the plain MSE.
 */
final class SubjectWeights {
    private SubjectWeights() {}

    /**
     * @param targets the target images (each a whole multiple of the latent grid)
     * @param height latent rows
     * @param width latent columns
     * @param weight the subject's extra weight {@code w}
     * @return [targets.size() * height * width] weights, example-major, row-major
     */
    static float[] of(List<BufferedImage> targets, int height, int width, double weight) {
        float[] out = new float[targets.size() * height * width];
        int cells = height * width;
        for (int b = 0; b < targets.size(); b++) {
            BufferedImage image = targets.get(b);
            if (image.getWidth() % width != 0 || image.getHeight() % height != 0) {
                throw new IllegalArgumentException("a " + image.getWidth() + "x" + image.getHeight()
                        + " target is no whole multiple of the " + width + "x" + height + " latent grid");
            }
            float[] coverage = LocatedSubject.locate(image).coverage();
            int fx = image.getWidth() / width;
            int fy = image.getHeight() / height;
            double sum = 0;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double c = 0;
                    for (int dy = 0; dy < fy; dy++) {
                        for (int dx = 0; dx < fx; dx++) {
                            c += coverage[(y * fy + dy) * image.getWidth() + x * fx + dx];
                        }
                    }
                    double w = 1 + weight * c / (fx * fy);
                    out[b * cells + y * width + x] = (float) w;
                    sum += w;
                }
            }
            float scale = (float) (cells / sum);
            for (int i = 0; i < cells; i++) {
                out[b * cells + i] *= scale;
            }
        }
        return out;
    }
}
