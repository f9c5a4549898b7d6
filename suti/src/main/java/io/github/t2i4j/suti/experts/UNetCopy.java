package io.github.t2i4j.suti.experts;

import io.github.t2i4j.core.tensor.NoGrad;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import java.util.Map;

/** Deep copies of a UNet: new arrays on another manager, so the original's weights are never shared. */
final class UNetCopy {
    private UNetCopy() {}

    /**
     * A UNet of {@code source}'s configuration holding copies of its weights on {@code manager}
     * (detached from any graph), trainable when {@code trainable}.
     */
    static UNet2DConditionModel of(UNet2DConditionModel source, NDManager manager, boolean trainable) {
        UNet2DConditionModel copy = new UNet2DConditionModel(source.config());
        Map<String, Parameter> from = source.namedParameters();
        NoGrad.run(() -> {
            for (Map.Entry<String, Parameter> e : copy.namedParameters().entrySet()) {
                Parameter src = from.get(e.getKey());
                if (src == null || !src.isInitialized()) {
                    throw new IllegalStateException("the UNet to copy has no weights for " + e.getKey());
                }
                NDArray a = src.getArray().duplicate(); // a clone with grad mode off: no graph, no view
                a.attach(manager);
                a.setRequiresGradient(trainable);
                e.getValue().setArray(a);
            }
            return null;
        });
        return copy;
    }
}
