package io.github.t2i4j.core.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import java.util.Collection;

/**
 * {@code torch.nn.utils.clip_grad_norm_}: scales all gradients together so that their global L2
 * norm is at most {@code maxNorm}. (DJL's optimizers only clamp each element from above.)
 */
public final class GradientClipping {
    private GradientClipping() {}

    /** The L2 norm of all gradients taken together (NaN or infinite if any gradient is). */
    public static double globalNorm(Collection<Parameter> params) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDList norms = new NDList();
            for (Parameter p : params) {
                NDArray a = p.getArray();
                if (a.hasGradient()) {
                    norms.add(a.getGradient().norm());
                }
            }
            if (norms.isEmpty()) {
                return 0;
            }
            // one host sync for the whole model
            return NDArrays.stack(norms).norm().toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                    .getDouble();
        }
    }

    /**
     * Scales every gradient by {@code maxNorm / (norm + 1e-6)} when the global norm exceeds
     * {@code maxNorm}, as PyTorch does, and returns the norm before clipping. A non-finite norm is
     * returned without touching the gradients, so the caller can skip the step.
     */
    public static double clipGlobalNorm(Collection<Parameter> params, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("maxNorm must be > 0: " + maxNorm);
        }
        double norm = globalNorm(params);
        double coef = maxNorm / (norm + 1e-6);
        if (Double.isFinite(norm) && coef < 1) {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                for (Parameter p : params) {
                    NDArray a = p.getArray();
                    if (a.hasGradient()) {
                        a.getGradient().muli((float) coef);
                    }
                }
            }
        }
        return norm;
    }
}
