package io.github.t2i4j.itercomp.refl;

import io.github.t2i4j.core.tensor.Scalars;
import ai.djl.ndarray.NDArray;
import java.util.Arrays;
import java.util.List;

/**
 * IterComp's multi-reward feedback loss: {@code scale * mean over the batch of sum over rewards k
 * of weight_k * ReLU(margin_k - r_k)}. A reward above its margin stops pulling (the hinge keeps the
 * model from over-optimising any one reward); the paper uses margin 2, weight 1 for each of its
 * three rewards and scale 1e-3 ({@link #paper(int)}).
 */
public final class MultiRewardLoss {
    private final double scale;
    private final double[] margins;
    private final double[] weights;

    /**
     * @param scale the overall factor ({@code grad_scale} in the released code)
     * @param margins per reward
     * @param weights per reward, same length
     */
    public MultiRewardLoss(double scale, double[] margins, double[] weights) {
        if (margins.length == 0 || margins.length != weights.length) {
            throw new IllegalArgumentException("need one margin and one weight per reward: "
                    + Arrays.toString(margins) + ", " + Arrays.toString(weights));
        }
        if (!Double.isFinite(scale) || Arrays.stream(margins).anyMatch(v -> !Double.isFinite(v))
                || Arrays.stream(weights).anyMatch(v -> !Double.isFinite(v))) {
            throw new IllegalArgumentException("scale, margins and weights must be finite");
        }
        this.scale = scale;
        this.margins = margins.clone();
        this.weights = weights.clone();
    }

    /** The paper's setting for {@code rewards} rewards: scale 1e-3, margin 2 and weight 1 each. */
    public static MultiRewardLoss paper(int rewards) {
        double[] m = new double[rewards];
        double[] w = new double[rewards];
        Arrays.fill(m, 2.0);
        Arrays.fill(w, 1.0);
        return new MultiRewardLoss(1e-3, m, w);
    }

    public int size() {
        return margins.length;
    }

    public double scale() {
        return scale;
    }

    public double[] margins() {
        return margins.clone();
    }

    public double[] weights() {
        return weights.clone();
    }

    /**
     * @param rewards one [B] array per reward, in this loss's order
     * @return the scalar loss, differentiable in the rewards
     */
    public NDArray loss(List<NDArray> rewards) {
        if (rewards.size() != margins.length) {
            throw new IllegalArgumentException(rewards.size() + " rewards for a loss over " + margins.length);
        }
        NDArray sum = null;
        for (int k = 0; k < margins.length; k++) {
            NDArray r = rewards.get(k);
            if (r.getShape().dimension() != 1 || (sum != null && !r.getShape().equals(sum.getShape()))) {
                throw new IllegalArgumentException("reward " + k + " must be [B] like the others, got " + r.getShape());
            }
            NDArray hinge = Scalars.maximum(r.neg().add((float) margins[k]), 0f);
            if (weights[k] != 1) {
                hinge = Scalars.mul(hinge, (float) weights[k]);
            }
            sum = sum == null ? hinge : sum.add(hinge);
        }
        return Scalars.mul(sum.mean(), (float) scale);
    }

    @Override
    public String toString() {
        return "MultiRewardLoss(scale " + scale + ", margins " + Arrays.toString(margins) + ", weights "
                + Arrays.toString(weights) + ")";
    }
}
