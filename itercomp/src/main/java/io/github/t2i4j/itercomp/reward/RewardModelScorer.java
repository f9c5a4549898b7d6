package io.github.t2i4j.itercomp.reward;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.image.Images;
import io.github.t2i4j.core.text.CLIPTokenizer;
import io.github.t2i4j.itercomp.preference.RewardScorer;
import java.awt.image.BufferedImage;
import java.util.List;

/** A trained {@link RewardModel} as a {@link RewardScorer} of images: normalised rewards, scored in chunks without gradient. */
public final class RewardModelScorer implements RewardScorer {
    private static final int CHUNK = 64;

    private final RewardModel model;
    private final CLIPTokenizer tokenizer;
    private final NDManager manager;

    /** Scores with {@code model} on {@code manager}'s device, captions tokenised by {@code tokenizer}. */
    public RewardModelScorer(RewardModel model, CLIPTokenizer tokenizer, NDManager manager) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.manager = manager;
    }

    @Override
    public double[] score(List<BufferedImage> images, List<String> captions) {
        if (images.size() != captions.size()) {
            throw new IllegalArgumentException(images.size() + " images for " + captions.size() + " captions");
        }
        double[] out = new double[images.size()];
        for (int s = 0; s < images.size(); s += CHUNK) {
            int e = Math.min(images.size(), s + CHUNK);
            try (NDManager m = manager.newSubManager()) {
                float[] r = model.score(pixels(images.subList(s, e), m), captions.subList(s, e), tokenizer);
                for (int i = 0; i < r.length; i++) {
                    out[s + i] = r[i];
                }
            }
        }
        return out;
    }

    /** Images of one size as a [N, 3, H, W] array in [-1, 1]. */
    static ai.djl.ndarray.NDArray pixels(List<BufferedImage> images, NDManager manager) {
        int h = images.get(0).getHeight();
        int w = images.get(0).getWidth();
        float[] all = new float[images.size() * 3 * h * w];
        for (int i = 0; i < images.size(); i++) {
            BufferedImage img = images.get(i);
            if (img.getHeight() != h || img.getWidth() != w) {
                throw new IllegalArgumentException("images of different sizes: " + w + "x" + h + " and "
                        + img.getWidth() + "x" + img.getHeight());
            }
            System.arraycopy(Images.toCHW(img), 0, all, i * 3 * h * w, 3 * h * w);
        }
        return manager.create(all, new Shape(images.size(), 3, h, w));
    }
}
