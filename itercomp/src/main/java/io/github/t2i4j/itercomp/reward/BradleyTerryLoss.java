package io.github.t2i4j.itercomp.reward;

import io.github.t2i4j.core.tensor.Scalars;
import ai.djl.ndarray.NDArray;

/**
 * The Bradley-Terry pairwise loss of reward models (ImageReward, IterComp): for each (better,
 * worse) pair {@code -log sigmoid(r_better - r_worse)}, the mean over pairs. Written stably as
 * {@code softplus(r_worse - r_better)} = {@code max(d, 0) + log(1 + exp(-|d|))}, which equals the
 * cross-entropy on {@code [r_better, r_worse]} with target 0.
 */
public final class BradleyTerryLoss {
    private BradleyTerryLoss() {}

    /**
     * @param better rewards of the preferred images [N]
     * @param worse rewards of the other images [N]
     * @return the mean loss, a scalar on {@code better}'s manager
     */
    public static NDArray loss(NDArray better, NDArray worse) {
        if (!better.getShape().equals(worse.getShape())) {
            throw new IllegalArgumentException(
                    "better and worse rewards differ in shape: " + better.getShape() + " vs " + worse.getShape());
        }
        return softplus(worse.sub(better)).mean();
    }

    /** log(1 + exp(x)) without overflow. */
    static NDArray softplus(NDArray x) {
        return Scalars.maximum(x, 0f).add(x.abs().neg().exp().add(1f).log());
    }

    /** Fraction of pairs whose better image scores strictly higher. */
    public static double accuracy(float[] better, float[] worse) {
        if (better.length != worse.length || better.length == 0) {
            throw new IllegalArgumentException("need equal, non-empty score arrays");
        }
        int right = 0;
        for (int i = 0; i < better.length; i++) {
            if (better[i] > worse[i]) {
                right++;
            }
        }
        return right / (double) better.length;
    }
}
