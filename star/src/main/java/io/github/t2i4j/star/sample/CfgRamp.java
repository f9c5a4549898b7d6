package io.github.t2i4j.star.sample;

import ai.djl.ndarray.NDArray;

/**
 * Classifier-free guidance with VAR's linear ramp over scales (STAR samples the same way): scale k
 * of K is guided with t_k = cfg * k / (K - 1), from no guidance at the first scale to the full
 * {@code cfg} at the last, and its logits are (1 + t_k) * cond - t_k * uncond.
 */
public final class CfgRamp {
    private CfgRamp() {}

    /** t_k = cfg * k / (K - 1); a single scale (K = 1) takes the full cfg. */
    public static double scale(double cfg, int k, int scales) {
        if (k < 0 || k >= scales) {
            throw new IllegalArgumentException("scale " + k + " of " + scales);
        }
        return scales == 1 ? cfg : cfg * k / (scales - 1);
    }

    /**
     * (1 + t) * cond - t * uncond, for logits [2B, ...] holding the conditional batch first and
     * the unconditional one after it; returns [B, ...].
     */
    public static NDArray guide(NDArray logits, double t) {
        long twoB = logits.getShape().get(0);
        if (twoB % 2 != 0) {
            throw new IllegalArgumentException("expected cond and uncond halves, got " + logits.getShape());
        }
        long b = twoB / 2;
        try (NDArray cond = logits.get("0:" + b);
                NDArray uncond = logits.get(b + ":");
                NDArray c = cond.mul((float) (1 + t));
                NDArray u = uncond.mul((float) t)) {
            return c.sub(u);
        }
    }
}
