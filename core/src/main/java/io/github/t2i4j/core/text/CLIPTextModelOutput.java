package io.github.t2i4j.core.text;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * What a CLIP text encoder returns (transformers' {@code BaseModelOutputWithPooling} and {@code
 * CLIPTextModelOutput} in one).
 *
 * @param lastHiddenState [B, L, D], the encoder output after the final layer norm (SD 1.x/2.x
 *     condition on this)
 * @param poolerOutput [B, D], {@code lastHiddenState} at each row's EOS token
 * @param hiddenStates transformers' {@code hidden_states}: the embeddings followed by the output of
 *     every layer, without the final layer norm (numHiddenLayers + 1 arrays); diffusers' {@code
 *     clip_skip = n} takes {@link #hiddenState hiddenState(-(n + 1))}
 * @param textEmbeds [B, projection_dim], {@code poolerOutput @ text_projection^T}; null for {@link
 *     CLIPTextModel}
 */
public record CLIPTextModelOutput(
        NDArray lastHiddenState, NDArray poolerOutput, List<NDArray> hiddenStates, NDArray textEmbeds)
        implements BaseModelOutputWithPooling {

    public CLIPTextModelOutput {
        hiddenStates = List.copyOf(hiddenStates);
    }

    /** Output of the second-to-last layer, without the final norm: what SDXL conditions on. */
    public NDArray penultimateHiddenState() {
        return hiddenState(-2);
    }

    /** The same output with {@code textEmbeds} set. */
    CLIPTextModelOutput withTextEmbeds(NDArray embeds) {
        return new CLIPTextModelOutput(lastHiddenState, poolerOutput, hiddenStates, embeds);
    }
}
