package io.github.t2i4j.core.models.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.github.t2i4j.core.nn.Module;

/** A down block of the UNet ({@link DownBlock2D} or {@link CrossAttnDownBlock2D}). */
public abstract class UNetDownBlock extends Module {

    /**
     * Runs the block.
     *
     * @param encoderHiddenStates the text conditioning (unused by blocks without attention)
     * @return the block's output states, the skip connections for the up path, in order; the last
     *     one is the block's output (diffusers returns it separately as well)
     */
    public abstract NDList forward(NDArray hidden, NDArray temb, NDArray encoderHiddenStates);
}
