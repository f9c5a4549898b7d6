package io.github.t2i4j.star.model;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.tensor.Scalars;
import ai.djl.ndarray.NDList;

/** VAR's attn_l2_norm pieces: L2-normalised q/k and the clamped learned per-head scale. */
final class QkNorm {
    /** log(100): VAR's {@code max_scale_mul}. */
    static final float MAX_SCALE_MUL = (float) Math.log(100);

    /** log(4): the initial value of {@code scale_mul_1H11}. */
    static final float INIT_SCALE_MUL = (float) Math.log(4);

    private QkNorm() {}

    /** {@code F.normalize(x, dim=-1)}: x / max(||x||, 1e-12). */
    static NDArray normalize(NDArray x) {
        NDArray len = x.norm(new int[] {-1}, true);
        NDArray norm = Scalars.maximum(len, 1e-12f);
        len.close();
        NDArray out = x.div(norm);
        norm.close();
        return out;
    }

    /** exp(min(scale_mul_1H11, log 100)), shape [1, H, 1, 1]. */
    static NDArray scaleMul(NDArray logScale) {
        try (NDArray clamped = Scalars.minimum(logScale, (float) MAX_SCALE_MUL)) {
            return clamped.exp();
        }
    }

    /**
     * VAR's attn_l2_norm on a head-split q and k: returns [normalize(q) * scale, normalize(k)],
     * closing {@code q} and {@code k}.
     */
    static NDList apply(NDArray q, NDArray k, NDArray logScale) {
        NDArray scaledQ = scaledQuery(q, logScale);
        NDArray nk = normalize(k);
        k.close();
        return new NDList(scaledQ, nk);
    }

    /** The query half of {@link #apply}: normalize(q) * scale, closing {@code q}. */
    static NDArray scaledQuery(NDArray q, NDArray logScale) {
        NDArray s = scaleMul(logScale);
        NDArray nq = normalize(q);
        q.close();
        NDArray scaledQ = nq.mul(s);
        nq.close();
        s.close();
        return scaledQ;
    }
}
