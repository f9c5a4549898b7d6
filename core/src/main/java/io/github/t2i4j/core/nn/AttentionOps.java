package io.github.t2i4j.core.nn;

import ai.djl.ndarray.NDArray;

/** Scaled dot-product attention from matMul and softmax (DJL has no fused kernel). */
public final class AttentionOps {
    private AttentionOps() {}

    /**
     * softmax(q k^T * scale + mask) v over [..., L, d] inputs.
     *
     * @param mask additive mask broadcastable to [..., Lq, Lk] (0 keeps, -inf drops), or null
     */
    public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, NDArray mask, float scale) {
        if (FlopCounter.active()) {
            long lq = q.getShape().get(-2);
            long lk = k.getShape().get(-2);
            long d = q.getShape().get(-1);
            long batch = q.size() / (lq * d);
            FlopCounter.add(2 * batch * lq * lk * (d + v.getShape().get(-1)));
        }
        // scale whichever of q, k is smaller (k for cross-attention to a short text), not the scores
        NDArray scores =
                q.size() <= k.size()
                        ? q.mul(scale).matMul(k.swapAxes(-1, -2))
                        : q.matMul(k.mul(scale).swapAxes(-1, -2));
        if (mask != null) {
            NDArray masked = scores.add(mask);
            scores.close();
            scores = masked;
        }
        // the [.., Lq, Lk] temporaries are the largest arrays of a diffusion step: free them now
        NDArray probs = scores.softmax(-1);
        scores.close();
        NDArray out = probs.matMul(v);
        probs.close();
        return out;
    }

    /** [B, L, heads*d] to [B, heads, L, d]. */
    public static NDArray splitHeads(NDArray x, int heads) {
        long b = x.getShape().get(0);
        long l = x.getShape().get(1);
        return x.reshape(b, l, heads, -1).transpose(0, 2, 1, 3);
    }

    /** [B, heads, L, d] to [B, L, heads*d]. */
    public static NDArray mergeHeads(NDArray x) {
        long b = x.getShape().get(0);
        long l = x.getShape().get(2);
        return x.transpose(0, 2, 1, 3).reshape(b, l, -1);
    }
}
