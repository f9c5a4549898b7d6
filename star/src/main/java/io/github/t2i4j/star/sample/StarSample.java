package io.github.t2i4j.star.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import io.github.t2i4j.core.image.Images;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * What {@link StarSampler} returns: the sampled token ids of every scale, the final f-hat and the
 * decoded images. Close it to free them.
 *
 * @param ids per scale k, the ids [B, pn_k^2] (INT64, row-major)
 * @param fhat the accumulated f-hat [B, Cvae, h, w]
 * @param images the decoded images [B, 3, H, W] in [-1, 1]
 */
public record StarSample(List<NDArray> ids, NDArray fhat, NDArray images) implements AutoCloseable {

    public StarSample {
        ids = List.copyOf(ids);
    }

    /** The images as RGB pictures. */
    public List<BufferedImage> toImages() {
        try (NDScope scope = new NDScope()) {
            return Images.toImages(images);
        }
    }

    @Override
    public void close() {
        ids.forEach(NDArray::close);
        fhat.close();
        images.close();
    }
}
