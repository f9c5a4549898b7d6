package io.github.t2i4j.core.models.clip;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.github.t2i4j.core.nn.LayerNorm;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.text.CLIPEncoder;
import java.util.List;

/**
 * transformers' {@code CLIPVisionTransformer} (the {@code vision_model} of every CLIP vision
 * class): patch embeddings, {@code pre_layrnorm} (transformers' spelling), the same encoder
 * layers as the text tower without any mask, and {@code post_layernorm} of the class token as the
 * pooled output.
 */
public class CLIPVisionTransformer extends Module {
    private final CLIPVisionConfig config;
    private final CLIPVisionEmbeddings embeddings;
    private final LayerNorm preLayrnorm;
    private final CLIPEncoder encoder;
    private final LayerNorm postLayernorm;

    public CLIPVisionTransformer(CLIPVisionConfig config) {
        this.config = config;
        this.embeddings = module("embeddings", new CLIPVisionEmbeddings(config));
        this.preLayrnorm = module("pre_layrnorm", new LayerNorm(config.hiddenSize(), config.layerNormEps()));
        this.encoder = module("encoder", new CLIPEncoder(config));
        this.postLayernorm = module("post_layernorm", new LayerNorm(config.hiddenSize(), config.layerNormEps()));
    }

    /**
     * Encodes pixel values.
     *
     * @param pixelValues [B, num_channels, image_size, image_size], already normalised as the
     *     model expects (see {@link CLIPImageProcessor}); moved to the weights' device and type if
     *     needed. Temporaries and results live on its manager.
     */
    public CLIPVisionModelOutput forward(NDArray pixelValues) {
        NDArray weight = embeddings.positionEmbedding().weight();
        Device device = weight.getDevice();
        DataType type = weight.getDataType();
        NDArray pixels = pixelValues.toDevice(device, false);
        if (pixels.getDataType() != type) {
            pixels = pixels.toType(type, false);
        }
        NDArray hidden = preLayrnorm.forward(embeddings.forward(pixels));
        List<NDArray> states = encoder.forward(hidden, null);
        NDArray last = states.get(states.size() - 1);
        NDArray pooled = postLayernorm.forward(last.get(new NDIndex(":, 0, :")));
        return new CLIPVisionModelOutput(last, pooled, states, null);
    }

    public CLIPVisionConfig config() {
        return config;
    }

    public CLIPVisionEmbeddings embeddings() {
        return embeddings;
    }

    public LayerNorm preLayrnorm() {
        return preLayrnorm;
    }

    public CLIPEncoder encoder() {
        return encoder;
    }

    public LayerNorm postLayernorm() {
        return postLayernorm;
    }
}
