package io.github.t2i4j.core.text;

import io.github.t2i4j.core.tensor.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Tokenised prompts of fixed length, as transformers' {@code BatchEncoding} holds them.
 *
 * @param inputIds [B][L] token ids: BOS, the prompt's tokens, EOS, then padding
 * @param attentionMask [B][L] 1 for BOS, tokens and EOS, 0 for padding
 * @param droppedTokens per prompt, how many of its tokens were cut off to fit L
 */
public record BatchEncoding(long[][] inputIds, long[][] attentionMask, int[] droppedTokens) {

    public int batchSize() {
        return inputIds.length;
    }

    /** The sequence length L. */
    public int length() {
        return inputIds.length == 0 ? 0 : inputIds[0].length;
    }

    /** The ids as an INT64 array [B, L] on {@code manager}'s device. */
    public NDArray inputIds(NDManager manager) {
        return HostArrays.owned(manager.create(inputIds));
    }

    /** The attention mask as an INT64 array [B, L] on {@code manager}'s device. */
    public NDArray attentionMask(NDManager manager) {
        return HostArrays.owned(manager.create(attentionMask));
    }
}
