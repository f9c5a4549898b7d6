package io.github.t2i4j.star.model;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.tensor.HostArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The block-causal training mask over a scale schedule (VAR's {@code attn_bias_for_masking}):
 * token i may attend to token j iff level(i) &gt;= level(j), i.e. every token sees its own scale and
 * all coarser ones.
 */
public final class BlockCausalMask {
    private BlockCausalMask() {}

    /** The scale index of each token of the flattened multi-scale sequence. */
    public static int[] levels(int... patchNums) {
        int total = 0;
        for (int pn : patchNums) {
            total += pn * pn;
        }
        int[] lvl = new int[total];
        int t = 0;
        for (int k = 0; k < patchNums.length; k++) {
            for (int i = 0; i < patchNums[k] * patchNums[k]; i++) {
                lvl[t++] = k;
            }
        }
        return lvl;
    }

    /** The additive mask [L, L]: 0 where level(i) &gt;= level(j), -inf elsewhere. */
    public static NDArray create(NDManager manager, int... patchNums) {
        int[] lvl = levels(patchNums);
        int l = lvl.length;
        float[] bias = new float[l * l];
        for (int i = 0; i < l; i++) {
            for (int j = 0; j < l; j++) {
                bias[i * l + j] = lvl[i] >= lvl[j] ? 0f : Float.NEGATIVE_INFINITY;
            }
        }
        return HostArrays.owned(manager.create(bias, new Shape(l, l)));
    }
}
