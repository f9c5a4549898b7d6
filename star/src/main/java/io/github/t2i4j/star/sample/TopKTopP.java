package io.github.t2i4j.star.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * Top-k and top-p (nucleus) filtering of logits over the last axis, as VAR's {@code
 * sample_with_top_k_top_p_} does before sampling: filtered entries become -inf, and at least one
 * token always survives.
 *
 * <ul>
 *   <li>top-k (k &gt; 0): removes every logit below the k-th largest of its row, so ties with the
 *       k-th value are all kept; k &gt;= V keeps everything (VAR would fail).
 *   <li>top-p (p &gt; 0): sorts each row ascending, removes the tokens whose cumulative softmax
 *       probability is &lt;= 1 - p, but never the largest one: what remains is the smallest set of
 *       the most likely tokens whose probability exceeds p (at least the argmax). Ties are ordered
 *       by PyTorch's sort, as in VAR.
 * </ul>
 *
 * <p>Both return new arrays and leave their input untouched.
 */
public final class TopKTopP {
    private TopKTopP() {}

    /** Top-k (if k &gt; 0), then top-p (if p &gt; 0) on {@code logits} [..., V]. */
    public static NDArray filter(NDArray logits, int topK, double topP) {
        NDArray k = topK(logits, topK);
        if (!(topP > 0)) {
            return k;
        }
        NDArray p = topP(k, topP);
        k.close();
        return p;
    }

    /** Keeps the logits &gt;= the k-th largest of each row; k &lt;= 0 or k &gt;= V keeps all. */
    public static NDArray topK(NDArray logits, int k) {
        int axis = logits.getShape().dimension() - 1;
        long v = logits.getShape().get(axis);
        if (k <= 0 || k >= v) {
            return logits.duplicate();
        }
        NDList top = logits.topK(k, axis, true, false);
        try (NDArray kth = top.get(0).min(new int[] {axis}, true);
                NDArray remove = logits.lt(kth)) {
            top.close();
            return masked(logits, remove);
        }
    }

    /**
     * Keeps, per row, the most likely tokens whose cumulative probability (ascending order) is
     * above 1 - p, and always the most likely one; p &lt;= 0 keeps all.
     */
    public static NDArray topP(NDArray logits, double p) {
        if (!(p > 0)) {
            return logits.duplicate();
        }
        int axis = logits.getShape().dimension() - 1;
        try (NDArray order = logits.argSort(axis, true);
                NDArray sorted = logits.gather(order, axis);
                NDArray probs = sorted.softmax(axis);
                NDArray cumulative = probs.cumSum(axis);
                NDArray low = cumulative.lte((float) (1 - p));
                NDArray sortedRemove = low.toType(DataType.FLOAT32, false)) {
            // the largest token always stays
            sortedRemove.set(new NDIndex("..., -1:"), 0f);
            try (NDArray zeros = sortedRemove.zerosLike();
                    NDArray scattered = zeros.scatter(order, sortedRemove, axis);
                    NDArray remove = scattered.gt(0f)) {
                return masked(logits, remove);
            }
        }
    }

    /** {@code logits} with -inf where {@code remove} is true. */
    private static NDArray masked(NDArray logits, NDArray remove) {
        try (NDArray inf =
                logits.getManager().full(logits.getShape(), Float.NEGATIVE_INFINITY, logits.getDataType())) {
            return NDArrays.where(remove, inf, logits);
        }
    }
}
