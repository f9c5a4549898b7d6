package io.github.t2i4j.itercomp.reward;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.t2i4j.core.nn.Embedding;
import io.github.t2i4j.core.nn.LayerNorm;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.nn.ModuleList;
import io.github.t2i4j.core.text.CLIPEncoderConfig;

/**
 * The reward model's text encoder (ImageReward's BLIP text encoder, small): token and position
 * embeddings over the CLIP tokenizer's ids, layers of self-attention (bidirectional, padding
 * hidden), cross-attention to the image tokens and feed-forward, and a final layer norm.
 */
public class RewardTextEncoder extends Module {
    private final Embedding tokenEmbedding;
    private final Embedding positionEmbedding;
    private final ModuleList<RewardTextLayer> layers;
    private final LayerNorm finalLayerNorm;

    public RewardTextEncoder(RewardModelConfig config) {
        CLIPEncoderConfig c = config.textEncoderConfig();
        this.tokenEmbedding = module("token_embedding", new Embedding(config.vocabSize(), c.hiddenSize()));
        this.positionEmbedding =
                module("position_embedding", new Embedding(config.maxPositionEmbeddings(), c.hiddenSize()));
        this.layers = module("layers", new ModuleList<>());
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            layers.add(new RewardTextLayer(c));
        }
        this.finalLayerNorm = module("final_layer_norm", new LayerNorm(c.hiddenSize(), c.layerNormEps()));
    }

    /**
     * @param inputIds [B, L] token ids (BOS first: its output is the [CLS] feature)
     * @param attentionMask [B, L] 1 for tokens, 0 for padding, or null
     * @param image image tokens at the text width [B, N, D]
     * @return the last hidden states [B, L, D]
     */
    public NDArray forward(NDArray inputIds, NDArray attentionMask, NDArray image) {
        long l = inputIds.getShape().get(1);
        NDArray ids = inputIds.toDevice(tokenEmbedding.weight().getDevice(), false);
        NDArray positions = ids.getManager().arange(0, (int) l, 1, DataType.INT64, ids.getDevice());
        NDArray x = tokenEmbedding.forward(ids).add(positionEmbedding.forward(positions).expandDims(0));
        NDArray bias = null;
        if (attentionMask != null) {
            long b = inputIds.getShape().get(0);
            NDArray m = attentionMask.toDevice(x.getDevice(), false).toType(x.getDataType(), false);
            bias = m.sub(1f).mul(1e9f).reshape(b, 1, 1, l);
        }
        for (RewardTextLayer layer : layers) {
            x = layer.forward(x, bias, image);
        }
        return finalLayerNorm.forward(x);
    }

    public Embedding tokenEmbedding() {
        return tokenEmbedding;
    }

    public ModuleList<RewardTextLayer> layers() {
        return layers;
    }
}
