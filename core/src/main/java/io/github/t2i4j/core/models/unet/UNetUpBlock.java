package io.github.t2i4j.core.models.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import io.github.t2i4j.core.models.ResnetBlock2D;
import io.github.t2i4j.core.models.Upsample2D;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.nn.ModuleList;
import io.github.t2i4j.core.tensor.Scopes;
import java.util.List;

/**
 * An up block of the UNet ({@link UpBlock2D} or {@link CrossAttnUpBlock2D}): the resnets over
 * skip connections and optional upsampler both share, under diffusers' names ({@code resnets.i},
 * {@code upsamplers.0}). A subclass registers them with {@link #addResnets} and {@link
 * #addUpsampler}, in the order diffusers registers its modules, and adds what runs after each
 * resnet by overriding {@link #afterResnet}.
 */
public abstract class UNetUpBlock extends Module {
    private ModuleList<ResnetBlock2D> resnets;
    private Upsample2D upsampler;

    /**
     * Registers {@code resnets}, each fed the previous output concatenated with a skip connection.
     *
     * @param inChannels width of the deepest skip connection this block takes (the last resnet's)
     * @param prevOutputChannel width of the incoming hidden state
     */
    protected final void addResnets(
            int numLayers,
            int inChannels,
            int prevOutputChannel,
            int outChannels,
            int tembChannels,
            float resnetEps,
            String resnetActFn,
            int resnetGroups) {
        this.resnets = module("resnets", new ModuleList<>());
        for (int i = 0; i < numLayers; i++) {
            int resSkip = i == numLayers - 1 ? inChannels : outChannels;
            int resnetIn = i == 0 ? prevOutputChannel : outChannels;
            resnets.add(new ResnetBlock2D(
                    resnetIn + resSkip, outChannels, (long) tembChannels, resnetGroups, resnetEps, resnetActFn, 1f));
        }
    }

    /** Registers {@code upsamplers.0}, nearest-neighbour resize and conv, when {@code add} is set. */
    protected final void addUpsampler(boolean add, int channels) {
        if (add) {
            ModuleList<Upsample2D> us = module("upsamplers", new ModuleList<>());
            this.upsampler = us.add(new Upsample2D(channels, channels));
        }
    }

    /**
     * What runs on the output of resnet {@code i}; nothing here. Like a {@link Scopes#run} step, an
     * override must return an array it created, never {@code hidden} itself.
     */
    protected NDArray afterResnet(int i, NDArray hidden, BlockConditioning cond) {
        return hidden;
    }

    /** Number of resnets, which is also the number of skip connections the block consumes. */
    public int numResnets() {
        return resnets.size();
    }

    /**
     * Runs the block.
     *
     * @param resHiddenStates the skip connections for this block, in down-path order: the last
     *     one is concatenated to the first resnet's input
     * @param upsampleSize [H, W] for the upsampler, or null to double the size
     */
    public NDArray forward(
            NDArray hidden,
            List<NDArray> resHiddenStates,
            NDArray temb,
            BlockConditioning cond,
            long[] upsampleSize) {
        int n = resHiddenStates.size();
        for (int i = 0; i < resnets.size(); i++) {
            ResnetBlock2D resnet = resnets.get(i);
            NDArray in = hidden;
            NDArray skip = resHiddenStates.get(n - 1 - i);
            NDArray r = Scopes.run(() -> resnet.forward(NDArrays.concat(new NDList(in, skip), 1), temb));
            hidden = afterResnet(i, r, cond);
        }
        if (upsampler != null) {
            NDArray in = hidden;
            hidden = Scopes.run(() -> upsampler.forward(in, upsampleSize));
        }
        return hidden;
    }

    /** The block's transformers ({@code attentions.i}), in order; empty for a block without attention. */
    public java.util.List<Transformer2DModel> attentions() {
        return java.util.List.of();
    }
}
