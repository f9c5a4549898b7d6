package io.github.t2i4j.itercomp.reward;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.nn.LayerNorm;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.text.CLIPAttention;
import io.github.t2i4j.core.text.CLIPEncoderConfig;
import io.github.t2i4j.core.text.CLIPMLP;

/**
 * One layer of the reward model's text encoder (BLIP's BERT layer with cross-attention, written
 * pre-norm like the CLIP layers): bidirectional self-attention over the caption, cross-attention
 * to the image tokens, a feed-forward MLP, each with a residual.
 */
public class RewardTextLayer extends Module {
    private final LayerNorm layerNorm1;
    private final CLIPAttention selfAttn;
    private final LayerNorm layerNormCross;
    private final CrossAttention crossAttn;
    private final LayerNorm layerNorm2;
    private final CLIPMLP mlp;

    public RewardTextLayer(CLIPEncoderConfig config) {
        int d = config.hiddenSize();
        this.layerNorm1 = module("layer_norm1", new LayerNorm(d, config.layerNormEps()));
        this.selfAttn = module("self_attn", new CLIPAttention(config));
        this.layerNormCross = module("layer_norm_cross", new LayerNorm(d, config.layerNormEps()));
        this.crossAttn = module("cross_attn", new CrossAttention(d, config.numAttentionHeads()));
        this.layerNorm2 = module("layer_norm2", new LayerNorm(d, config.layerNormEps()));
        this.mlp = module("mlp", new CLIPMLP(config));
    }

    /**
     * @param x text hidden states [B, L, D]
     * @param bias additive self-attention bias [B, 1, 1, L] hiding padding, or null
     * @param image image tokens [B, N, D]
     */
    public NDArray forward(NDArray x, NDArray bias, NDArray image) {
        NDArray h = x.add(selfAttn.forward(layerNorm1.forward(x), bias));
        h = h.add(crossAttn.forward(layerNormCross.forward(h), image));
        return h.add(mlp.forward(layerNorm2.forward(h)));
    }
}
