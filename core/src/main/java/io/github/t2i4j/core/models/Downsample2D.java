package io.github.t2i4j.core.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.nn.Conv2d;
import io.github.t2i4j.core.nn.Module;

/**
 * diffusers' {@code Downsample2D} with a convolution: a 3x3 stride-2 conv. With padding 0 (the
 * VAE encoder) the input is first padded by one pixel on the right and bottom, as diffusers does.
 */
public class Downsample2D extends Module {
    private final Conv2d conv;
    private final int padding;

    public Downsample2D(long channels, long out, int padding) {
        this.padding = padding;
        this.conv = module("conv", new Conv2d(channels, out, 3, 2, padding, true));
    }

    public NDArray forward(NDArray x) {
        if (padding == 0) {
            x = x.pad(new Shape(0, 1, 0, 1), 0);
        }
        return conv.forward(x);
    }
}
