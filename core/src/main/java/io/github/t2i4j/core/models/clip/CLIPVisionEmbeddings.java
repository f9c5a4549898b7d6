package io.github.t2i4j.core.models.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.nn.Conv2d;
import io.github.t2i4j.core.nn.Embedding;
import io.github.t2i4j.core.nn.Init;
import io.github.t2i4j.core.nn.Module;

/**
 * transformers' {@code CLIPVisionEmbeddings}: the image cut into patches by a bias-free
 * convolution with kernel = stride = patch_size, a learned class token in front, plus a learned
 * absolute position embedding (one row per patch and one for the class token). The constant
 * {@code position_ids} buffer some checkpoints carry is accepted on load and not needed.
 */
public class CLIPVisionEmbeddings extends Module {
    private final CLIPVisionConfig config;
    private final Parameter classEmbedding;
    private final Conv2d patchEmbedding;
    private final Embedding positionEmbedding;

    public CLIPVisionEmbeddings(CLIPVisionConfig config) {
        this.config = config;
        int dim = config.hiddenSize();
        // transformers initialises the class token with N(0, dim^-1/2)
        this.classEmbedding =
                param("class_embedding", Parameter.Type.WEIGHT, Init.normal((float) Math.pow(dim, -0.5)), dim);
        this.patchEmbedding = module(
                "patch_embedding",
                new Conv2d(config.numChannels(), dim, config.patchSize(), config.patchSize(), 0, false));
        this.positionEmbedding = module("position_embedding", new Embedding(config.numPositions(), dim));
        buffer("position_ids");
    }

    /**
     * Embeds pixel values [B, num_channels, image_size, image_size] (on the weights' device and in
     * their type) into tokens [B, 1 + num_patches, hidden]: the class token first, then the
     * patches in row-major order. Results live on the pixels' manager.
     */
    public NDArray forward(NDArray pixelValues) {
        Shape s = pixelValues.getShape();
        int size = config.imageSize();
        if (s.dimension() != 4 || s.get(1) != config.numChannels() || s.get(2) != size || s.get(3) != size) {
            throw new IllegalArgumentException(
                    "pixel_values must be [batch, " + config.numChannels() + ", " + size + ", " + size + "], got " + s
                            + " (images must be resized to the model's image_size first)");
        }
        long b = s.get(0);
        long dim = config.hiddenSize();
        NDManager m = pixelValues.getManager();
        NDArray patches = patchEmbedding.forward(pixelValues); // [B, D, g, g]
        patches = patches.reshape(b, dim, -1).transpose(0, 2, 1); // [B, g*g, D]
        // zeros + parameter: the class token expanded over the batch, on the call's manager
        NDArray cls = m.zeros(new Shape(b, 1, dim), patches.getDataType(), patches.getDevice())
                .add(v(classEmbedding));
        NDArray tokens = NDArrays.concat(new NDList(cls, patches), 1);
        return tokens.add(positionEmbedding.weight());
    }

    public NDArray classEmbedding() {
        return v(classEmbedding);
    }

    public Conv2d patchEmbedding() {
        return patchEmbedding;
    }

    public Embedding positionEmbedding() {
        return positionEmbedding;
    }
}
