package io.github.t2i4j.itercomp.gallery;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

/**
 * The grounding input of a batch, what diffusers passes as {@code cross_attention_kwargs["gligen"]}
 * to the {@link PositionNet}: every layout padded to the same number of slots.
 *
 * @param boxes [B, N, 4] xyxy in [0, 1] (zeros in padding slots)
 * @param masks [B, N] 1 for an object, 0 for a padding slot
 * @param phraseEmbeddings [B, N, D] the text encoder's pooled output of each phrase (zeros in padding slots)
 */
public record GroundingInput(NDArray boxes, NDArray masks, NDArray phraseEmbeddings) {

    /** Batch size. */
    public long batchSize() {
        return boxes.getShape().get(0);
    }

    /**
     * The same slots with every mask 0: the unconditional half of classifier-free guidance, as
     * diffusers' GLIGEN pipeline builds it (the fusers then attend to the null tokens only).
     */
    public GroundingInput withoutObjects() {
        return new GroundingInput(boxes, masks.zerosLike(), phraseEmbeddings);
    }

    /** {@code first} then {@code second} along the batch. */
    public static GroundingInput concat(GroundingInput first, GroundingInput second) {
        return new GroundingInput(
                NDArrays.concat(new NDList(first.boxes, second.boxes)),
                NDArrays.concat(new NDList(first.masks, second.masks)),
                NDArrays.concat(new NDList(first.phraseEmbeddings, second.phraseEmbeddings)));
    }
}
