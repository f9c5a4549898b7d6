package io.github.t2i4j.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import io.github.t2i4j.core.tensor.ScalarOps;

/** Scaled dot-product attention from matMul and softmax (DJL has no fused kernel). */
public final class AttentionOps {
    private AttentionOps() {}

    /**
     * Score blocks above this size are computed a block of queries at a time, so that the [..,
     * chunk, Lk] temporaries stay in cache instead of streaming gigabytes through memory: about
     * twice as fast for SD's 4096-token self-attention on CPU, and far less peak memory.
     */
    static final long CHUNK_BYTES = 8L << 20;

    /**
     * softmax(q k^T * scale + mask) v over [..., L, d] inputs.
     *
     * @param mask additive mask broadcastable to [..., Lq, Lk] (0 keeps, -inf drops), or null
     */
    public static NDArray scaledDotProduct(NDArray q, NDArray k, NDArray v, NDArray mask, float scale) {
        if (FlopCounter.active()) {
            int n = q.getShape().dimension();
            long lq = q.getShape().get(n - 2);
            long lk = k.getShape().get(n - 2);
            long d = q.getShape().get(n - 1);
            long batch = q.size() / (lq * d);
            FlopCounter.add(2 * batch * lq * lk * (d + v.getShape().get(n - 1)));
        }
        // scale whichever of q, k is smaller (k for cross-attention to a short text), not the scores
        boolean scaleQ = q.size() <= k.size();
        NDArray scaled = ScalarOps.mul(scaleQ ? q : k, scale);
        NDArray qs = scaleQ ? scaled : q;
        NDArray kt = (scaleQ ? k : scaled).swapAxes(-1, -2);
        try {
            int axis = q.getShape().dimension() - 2;
            long lq = q.getShape().get(axis);
            long rows = q.size() / (lq * q.getShape().get(axis + 1)); // batch * heads
            long bytesPerQuery = rows * k.getShape().get(axis) * Float.BYTES;
            long chunk = Math.max(1, CHUNK_BYTES / bytesPerQuery);
            if (chunk >= lq) {
                return attend(qs, kt, v, mask);
            }
            long[] splits = new long[(int) ((lq - 1) / chunk)];
            for (int i = 0; i < splits.length; i++) {
                splits[i] = (i + 1) * chunk;
            }
            int maskAxis = mask == null ? -1 : mask.getShape().dimension() - 2;
            boolean maskPerQuery = maskAxis >= 0 && mask.getShape().get(maskAxis) == lq;
            try (NDList qChunks = qs.split(splits, axis);
                    NDList maskChunks = maskPerQuery ? mask.split(splits, maskAxis) : new NDList();
                    NDList outs = new NDList(qChunks.size())) {
                for (int i = 0; i < qChunks.size(); i++) {
                    outs.add(attend(qChunks.get(i), kt, v, maskPerQuery ? maskChunks.get(i) : mask));
                }
                return NDArrays.concat(outs, axis);
            }
        } finally {
            kt.close();
            scaled.close();
        }
    }

    /** softmax(q kt + mask) v for already scaled q or kt, freeing the score temporaries at once. */
    private static NDArray attend(NDArray q, NDArray kt, NDArray v, NDArray mask) {
        NDArray scores = q.matMul(kt);
        if (mask != null) {
            NDArray masked = scores.add(mask);
            scores.close();
            scores = masked;
        }
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
