package io.github.t2i4j.core.world.clip;

import io.github.t2i4j.core.tensor.HostArrays;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.image.Images;
import io.github.t2i4j.core.metrics.ClipScore;
import io.github.t2i4j.core.models.clip.CLIPModel;
import io.github.t2i4j.core.text.CLIPTokenizer;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

/**
 * A trained world CLIP folder used as a judge: image features for FID and image-caption cosines
 * for the CLIP score. Images are resized to the model's input size when they differ.
 */
public final class WorldClip implements AutoCloseable {
    private final NDManager manager;
    private final CLIPModel model;
    private final CLIPTokenizer tokenizer;
    private final int size;

    private WorldClip(NDManager manager, CLIPModel model, CLIPTokenizer tokenizer) {
        this.manager = manager;
        this.model = model;
        this.tokenizer = tokenizer;
        this.size = model.config().visionConfig().imageSize();
    }

    /** Loads {@code dir} (config, weights, tokenizer) onto {@code device}. */
    public static WorldClip load(Path dir, Device device) {
        NDManager manager = NDManager.newBaseManager(device);
        try {
            return new WorldClip(manager, CLIPModel.fromPretrained(dir, manager), CLIPTokenizer.fromPretrained(dir));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public CLIPModel model() {
        return model;
    }

    /** Projected image features (not normalised), one row per image: the FID feature space. */
    public float[][] imageFeatures(List<BufferedImage> images) {
        try (NDManager m = manager.newSubManager()) {
            NDArray f = model.getImageFeatures(pixels(m, images));
            return rows(f);
        }
    }

    /** Cosine of each image with its caption (the CLIP score's per-pair values). */
    public double[] cosines(List<BufferedImage> images, List<String> captions) {
        if (images.size() != captions.size()) {
            throw new IllegalArgumentException(images.size() + " images but " + captions.size() + " captions");
        }
        try (NDManager m = manager.newSubManager()) {
            NDArray img = model.getImageFeatures(pixels(m, images));
            NDArray txt = model.getTextFeatures(tokenizer.encode(captions).inputIds(m), null);
            return ClipScore.of(img, txt).cosines();
        }
    }

    private NDArray pixels(NDManager m, List<BufferedImage> images) {
        int plane = 3 * size * size;
        float[] data = new float[images.size() * plane];
        for (int i = 0; i < images.size(); i++) {
            BufferedImage img = images.get(i);
            if (img.getWidth() != size || img.getHeight() != size) {
                img = Images.resize(img, size, size);
            }
            System.arraycopy(Images.toCHW(img), 0, data, i * plane, plane);
        }
        return HostArrays.owned(m.create(data, new Shape(images.size(), 3, size, size)));
    }

    private static float[][] rows(NDArray f) {
        int n = (int) f.getShape().get(0);
        int d = (int) f.getShape().get(1);
        float[] flat = f.toFloatArray();
        float[][] out = new float[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * d, out[i], 0, d);
        }
        return out;
    }

    @Override
    public void close() {
        tokenizer.close();
        manager.close();
    }
}
