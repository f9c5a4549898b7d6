package io.github.t2i4j.core.text;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.nn.LayerNorm;
import io.github.t2i4j.core.nn.Module;

/** transformers' {@code CLIPEncoderLayer}: pre-norm self-attention and MLP, each with a residual. */
public class CLIPEncoderLayer extends Module {
    private final CLIPAttention selfAttn;
    private final LayerNorm layerNorm1;
    private final CLIPMLP mlp;
    private final LayerNorm layerNorm2;

    public CLIPEncoderLayer(CLIPEncoderConfig config) {
        this.selfAttn = module("self_attn", new CLIPAttention(config));
        this.layerNorm1 = module("layer_norm1", new LayerNorm(config.hiddenSize(), config.layerNormEps()));
        this.mlp = module("mlp", new CLIPMLP(config));
        this.layerNorm2 = module("layer_norm2", new LayerNorm(config.hiddenSize(), config.layerNormEps()));
    }

    /** See {@link CLIPAttention#forward} for {@code bias}. */
    public NDArray forward(NDArray x, NDArray bias) {
        NDArray h = x.add(selfAttn.forward(layerNorm1.forward(x), bias));
        return h.add(mlp.forward(layerNorm2.forward(h)));
    }
}
