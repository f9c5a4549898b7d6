package io.github.t2i4j.core.models;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.nn.Conv2d;
import io.github.t2i4j.core.nn.Module;

/** diffusers' {@code Upsample2D} with a convolution: nearest-neighbour x2 (or to a size), 3x3 conv. */
public class Upsample2D extends Module {
    private final Conv2d conv;

    public Upsample2D(long channels, long out) {
        this.conv = module("conv", new Conv2d(channels, out, 3));
    }

    /**
     * @param outputSize target [H, W], or null to double the input
     */
    public NDArray forward(NDArray x, long[] outputSize) {
        long[] size =
                outputSize != null
                        ? outputSize
                        : new long[] {x.getShape().get(2) * 2, x.getShape().get(3) * 2};
        NDArray up = x.getNDArrayInternal().interpolation(size, 0, false);
        return conv.forward(up);
    }
}
