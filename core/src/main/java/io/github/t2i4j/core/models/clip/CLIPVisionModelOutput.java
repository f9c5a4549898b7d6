package io.github.t2i4j.core.models.clip;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.text.BaseModelOutputWithPooling;
import java.util.List;

/**
 * What a CLIP vision tower returns (transformers' {@code BaseModelOutputWithPooling} and {@code
 * CLIPVisionModelOutput} in one).
 *
 * @param lastHiddenState [B, 1 + num_patches, D], the last encoder layer's output (transformers
 *     applies no final norm to it; only the pooled class token is normed)
 * @param poolerOutput [B, D], {@code post_layernorm} of the class token of {@code lastHiddenState}
 * @param hiddenStates transformers' {@code hidden_states}: the embeddings after {@code
 *     pre_layrnorm}, followed by the output of every layer (num_hidden_layers + 1 arrays);
 *     {@link #hiddenState hiddenState(-2)}, the penultimate, is what IP-Adapter Plus and many VLMs
 *     take
 * @param imageEmbeds [B, projection_dim], {@code poolerOutput @ visual_projection^T}; null for
 *     {@link CLIPVisionModel}
 */
public record CLIPVisionModelOutput(
        NDArray lastHiddenState, NDArray poolerOutput, List<NDArray> hiddenStates, NDArray imageEmbeds)
        implements BaseModelOutputWithPooling {

    public CLIPVisionModelOutput {
        hiddenStates = List.copyOf(hiddenStates);
    }

    /** The same output with {@code imageEmbeds} set. */
    CLIPVisionModelOutput withImageEmbeds(NDArray embeds) {
        return new CLIPVisionModelOutput(lastHiddenState, poolerOutput, hiddenStates, embeds);
    }
}
