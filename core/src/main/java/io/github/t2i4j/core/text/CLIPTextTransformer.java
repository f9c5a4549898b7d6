package io.github.t2i4j.core.text;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.github.t2i4j.core.nn.LayerNorm;
import io.github.t2i4j.core.nn.Module;
import java.util.List;

/**
 * transformers' {@code CLIPTextTransformer} (the {@code text_model} of both text model classes):
 * embeddings, a causally masked encoder, the final layer norm and EOS pooling.
 */
public class CLIPTextTransformer extends Module {
    private final CLIPTextConfig config;
    private final CLIPTextEmbeddings embeddings;
    private final CLIPEncoder encoder;
    private final LayerNorm finalLayerNorm;

    public CLIPTextTransformer(CLIPTextConfig config) {
        this.config = config;
        this.embeddings = module("embeddings", new CLIPTextEmbeddings(config));
        this.encoder = module("encoder", new CLIPEncoder(config));
        this.finalLayerNorm =
                module("final_layer_norm", new LayerNorm(config.hiddenSize(), config.layerNormEps()));
    }

    /**
     * Encodes token ids.
     *
     * @param inputIds [B, L] integer ids (moved to the weights' device if elsewhere); temporaries
     *     and results live on their manager
     * @param attentionMask [B, L], 1 for tokens to attend to and 0 for padding, or null (CLIP in
     *     Stable Diffusion is run without one: the causal mask already hides later padding)
     */
    public CLIPTextModelOutput forward(NDArray inputIds, NDArray attentionMask) {
        return forward(inputIds, attentionMask, null);
    }

    /**
     * Encodes token ids whose token embeddings [B, L, hidden] are given ({@code inputs_embeds};
     * looked up in the table when null): the ids still place the causal mask, the padding mask
     * and the EOS pooling.
     */
    public CLIPTextModelOutput forward(NDArray inputIds, NDArray attentionMask, NDArray inputsEmbeds) {
        if (inputIds.getShape().dimension() != 2) {
            throw new IllegalArgumentException("input_ids must be [batch, length], got " + inputIds.getShape());
        }
        Device device = embeddings.tokenEmbedding().weight().getDevice();
        NDArray ids = inputIds.toDevice(device, false);
        NDArray hidden = embeddings.forward(ids, inputsEmbeds);
        NDArray bias = attentionBias(ids, attentionMask, hidden.getDataType());
        List<NDArray> states = encoder.forward(hidden, bias);
        NDArray last = finalLayerNorm.forward(states.get(states.size() - 1));
        NDArray pooled = pool(last, ids);
        return new CLIPTextModelOutput(last, pooled, states, null);
    }

    /**
     * The additive bias [1 or B, 1, L, L]: 0 where query i may see key j (j <= i and key j is not
     * padding), the dtype's lowest value elsewhere (transformers' {@code finfo.min}).
     */
    static NDArray attentionBias(NDArray ids, NDArray attentionMask, DataType type) {
        long b = ids.getShape().get(0);
        int l = (int) ids.getShape().get(1);
        NDManager m = ids.getManager();
        NDArray pos = m.arange(0f, l, 1f, DataType.INT64, ids.getDevice());
        NDArray blocked = pos.reshape(1, l).gt(pos.reshape(l, 1)).reshape(1, 1, l, l);
        if (attentionMask != null) {
            if (!attentionMask.getShape().equals(ids.getShape())) {
                throw new IllegalArgumentException(
                        "attention_mask shape " + attentionMask.getShape() + " differs from input_ids " + ids.getShape());
            }
            NDArray padding = attentionMask.toDevice(ids.getDevice(), false).eq(0).reshape(b, 1, 1, l);
            blocked = blocked.logicalOr(padding);
        }
        float min = type == DataType.FLOAT16 ? -65504f : -Float.MAX_VALUE;
        return blocked.toType(type, false).mul(min);
    }

    /**
     * pooler_output: the final-normed state at each row's EOS token. transformers' rule: with the
     * legacy eos_token_id 2 (old configs) the position of the largest id, else the first position
     * holding eos_token_id.
     */
    NDArray pool(NDArray last, NDArray ids) {
        long b = last.getShape().get(0);
        long l = last.getShape().get(1);
        NDArray position =
                config.eosTokenId() == 2
                        ? ids.argMax(1)
                        : ids.eq(config.eosTokenId()).toType(DataType.INT32, false).argMax(1);
        NDManager m = ids.getManager();
        NDArray rowStart = m.arange(0f, (float) (b * l), (float) l, DataType.INT64, ids.getDevice());
        NDArray flat = rowStart.add(position.toType(DataType.INT64, false));
        return last.reshape(b * l, -1).get(m, new NDIndex("{}, :", flat));
    }

    public CLIPTextConfig config() {
        return config;
    }

    public CLIPTextEmbeddings embeddings() {
        return embeddings;
    }

    public CLIPEncoder encoder() {
        return encoder;
    }

    public LayerNorm finalLayerNorm() {
        return finalLayerNorm;
    }
}
