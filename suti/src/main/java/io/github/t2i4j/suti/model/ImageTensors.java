package io.github.t2i4j.suti.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.image.Images;
import io.github.t2i4j.core.tensor.HostArrays;
import java.awt.image.BufferedImage;
import java.util.List;

/** RGB images as the VAE's input: one [N, 3, size, size] array in [-1, 1], resized when they differ. */
public final class ImageTensors {
    private ImageTensors() {}

    /** The images (bilinearly resized to {@code size} x {@code size} where needed) on {@code manager}. */
    public static NDArray of(List<BufferedImage> images, int size, NDManager manager) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images");
        }
        int plane = 3 * size * size;
        float[] data = new float[images.size() * plane];
        for (int i = 0; i < images.size(); i++) {
            BufferedImage img = images.get(i);
            if (img.getWidth() != size || img.getHeight() != size) {
                img = Images.resize(img, size, size);
            }
            System.arraycopy(Images.toCHW(img), 0, data, i * plane, plane);
        }
        return HostArrays.owned(manager.create(data, new Shape(images.size(), 3, size, size)));
    }
}
