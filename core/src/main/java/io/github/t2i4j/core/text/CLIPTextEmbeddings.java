package io.github.t2i4j.core.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.github.t2i4j.core.nn.Embedding;
import io.github.t2i4j.core.nn.Module;

/**
 * transformers' {@code CLIPTextEmbeddings}: token embedding plus a learned absolute position
 * embedding. Older checkpoints also carry the constant {@code position_ids} buffer (0..76); it is
 * accepted on load and not needed, as positions are always 0..L-1.
 */
public class CLIPTextEmbeddings extends Module {
    private final Embedding tokenEmbedding;
    private final Embedding positionEmbedding;

    public CLIPTextEmbeddings(CLIPTextConfig config) {
        this.tokenEmbedding = module("token_embedding", new Embedding(config.vocabSize(), config.hiddenSize()));
        this.positionEmbedding =
                module("position_embedding", new Embedding(config.maxPositionEmbeddings(), config.hiddenSize()));
        buffer("position_ids");
    }

    /**
     * Embeds ids [B, L] (on the weights' device) into [B, L, hidden]. The results are attached to
     * the ids' manager, not the weights', so repeated calls do not accumulate in the model.
     */
    public NDArray forward(NDArray inputIds) {
        return forward(inputIds, null);
    }

    /**
     * As {@link #forward(NDArray)}, but with the token embeddings [B, L, hidden] given ({@code
     * inputs_embeds}, e.g. with a learned Textual Inversion row); the table is used when null.
     */
    public NDArray forward(NDArray inputIds, NDArray inputsEmbeds) {
        long b = inputIds.getShape().get(0);
        long l = inputIds.getShape().get(1);
        long maxLen = positionEmbedding.size();
        if (l > maxLen) {
            throw new IllegalArgumentException(
                    "sequence length " + l + " exceeds max_position_embeddings " + maxLen);
        }
        NDManager m = inputIds.getManager();
        NDArray ids = inputIds.getDataType() == DataType.INT64 ? inputIds : inputIds.toType(DataType.INT64, false);
        NDArray tokens = inputsEmbeds != null ? inputsEmbeds : tokenEmbedding.forward(ids.reshape(-1));
        NDArray positions = positionEmbedding.weight().get(m, new NDIndex(":{}", l));
        return tokens.reshape(b, l, -1).add(positions);
    }

    public Embedding tokenEmbedding() {
        return tokenEmbedding;
    }

    public Embedding positionEmbedding() {
        return positionEmbedding;
    }
}
