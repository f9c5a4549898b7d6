package io.github.t2i4j.core.text;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * transformers' {@code BaseModelOutputWithPooling}: what the CLIP text and vision towers both
 * return ({@link CLIPTextModelOutput}, {@code CLIPVisionModelOutput}), with the indexing into
 * {@code hidden_states} they share.
 */
public interface BaseModelOutputWithPooling {

    /** The last encoder layer's output, [B, L, D] (see the implementation for the final norm). */
    NDArray lastHiddenState();

    /** One vector per row, [B, D]. */
    NDArray poolerOutput();

    /** The embeddings followed by the output of every layer (num_hidden_layers + 1 arrays). */
    List<NDArray> hiddenStates();

    /**
     * {@code hidden_states[index]}, with Python's negative indices: 0 is the embeddings, k the
     * output of layer k-1, -1 the last layer's output, -2 the penultimate.
     */
    default NDArray hiddenState(int index) {
        List<NDArray> states = hiddenStates();
        int n = states.size();
        int i = index < 0 ? n + index : index;
        if (i < 0 || i >= n) {
            throw new IndexOutOfBoundsException(
                    "hidden state index " + index + " out of range for " + n + " hidden states");
        }
        return states.get(i);
    }
}
