package io.github.t2i4j.core.models.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.github.t2i4j.core.nn.Linear;
import io.github.t2i4j.core.nn.Module;

/**
 * diffusers' {@code GEGLU}: one projection to twice the width, split into a value half and a gate
 * half, value * GELU(gate) with PyTorch's exact (erf) GELU.
 */
public class GEGLU extends Module {
    private final Linear proj;

    public GEGLU(long dimIn, long dimOut) {
        this.proj = module("proj", new Linear(dimIn, dimOut * 2));
    }

    public NDArray forward(NDArray x) {
        NDArray p = proj.forward(x);
        NDList halves = p.split(2, p.getShape().dimension() - 1);
        // native exact GELU: one kernel instead of the five ops of the erf formula
        return halves.get(0).mul(halves.get(1).getNDArrayInternal().gelu());
    }
}
