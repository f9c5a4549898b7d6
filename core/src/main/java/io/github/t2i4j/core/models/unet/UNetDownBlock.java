package io.github.t2i4j.core.models.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.github.t2i4j.core.models.Downsample2D;
import io.github.t2i4j.core.models.ResnetBlock2D;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.nn.ModuleList;
import io.github.t2i4j.core.tensor.Scopes;

/**
 * A down block of the UNet ({@link DownBlock2D} or {@link CrossAttnDownBlock2D}): the resnets and
 * optional downsampler both share, under diffusers' names ({@code resnets.i},
 * {@code downsamplers.0}). A subclass registers them with {@link #addResnets} and {@link
 * #addDownsampler}, in the order diffusers registers its modules, and adds what runs after each
 * resnet by overriding {@link #afterResnet}.
 */
public abstract class UNetDownBlock extends Module {
    private ModuleList<ResnetBlock2D> resnets;
    private Downsample2D downsampler;

    /** Registers {@code resnets}: the first from {@code inChannels}, all to {@code outChannels}. */
    protected final void addResnets(
            int numLayers,
            int inChannels,
            int outChannels,
            int tembChannels,
            float resnetEps,
            String resnetActFn,
            int resnetGroups) {
        this.resnets = module("resnets", new ModuleList<>());
        for (int i = 0; i < numLayers; i++) {
            resnets.add(new ResnetBlock2D(
                    i == 0 ? inChannels : outChannels, outChannels, (long) tembChannels,
                    resnetGroups, resnetEps, resnetActFn, 1f));
        }
    }

    /** Registers {@code downsamplers.0}, a strided conv, when {@code add} is set. */
    protected final void addDownsampler(boolean add, int channels, int downsamplePadding) {
        if (add) {
            ModuleList<Downsample2D> ds = module("downsamplers", new ModuleList<>());
            this.downsampler = ds.add(new Downsample2D(channels, channels, downsamplePadding));
        }
    }

    /**
     * What runs on the output of resnet {@code i} before it becomes an output state; nothing here.
     * Like a {@link Scopes#run} step, an override must return an array it created, never
     * {@code hidden} itself.
     */
    protected NDArray afterResnet(int i, NDArray hidden, BlockConditioning cond) {
        return hidden;
    }

    /**
     * Runs the block.
     *
     * @param cond the text conditioning and fusers' tokens (unused by blocks without attention)
     * @return the block's output states, the skip connections for the up path, in order; the last
     *     one is the block's output (diffusers returns it separately as well)
     */
    public NDList forward(NDArray hidden, NDArray temb, BlockConditioning cond) {
        NDList outputStates = new NDList();
        for (int i = 0; i < resnets.size(); i++) {
            ResnetBlock2D resnet = resnets.get(i);
            NDArray in = hidden;
            hidden = afterResnet(i, Scopes.run(() -> resnet.forward(in, temb)), cond);
            outputStates.add(hidden);
        }
        if (downsampler != null) {
            NDArray in = hidden;
            outputStates.add(Scopes.run(() -> downsampler.forward(in)));
        }
        return outputStates;
    }

    /** Whether the block ends with a downsampler (its last output state is then at half its resolution). */
    public boolean hasDownsampler() {
        return downsampler != null;
    }

    /** The block's transformers ({@code attentions.i}), in order; empty for a block without attention. */
    public java.util.List<Transformer2DModel> attentions() {
        return java.util.List.of();
    }
}
