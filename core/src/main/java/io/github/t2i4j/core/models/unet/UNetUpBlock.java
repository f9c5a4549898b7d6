package io.github.t2i4j.core.models.unet;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.nn.Module;
import java.util.List;

/** An up block of the UNet ({@link UpBlock2D} or {@link CrossAttnUpBlock2D}). */
public abstract class UNetUpBlock extends Module {

    /** Number of resnets, which is also the number of skip connections the block consumes. */
    public abstract int numResnets();

    /**
     * Runs the block.
     *
     * @param resHiddenStates the skip connections for this block, in down-path order: the last
     *     one is concatenated to the first resnet's input
     * @param upsampleSize [H, W] for the upsampler, or null to double the size
     */
    public abstract NDArray forward(
            NDArray hidden,
            List<NDArray> resHiddenStates,
            NDArray temb,
            NDArray encoderHiddenStates,
            long[] upsampleSize);
}
