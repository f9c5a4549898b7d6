package io.github.t2i4j.core.models.vae;

import io.github.t2i4j.core.tensor.Scopes;
import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.nn.Activations;
import io.github.t2i4j.core.nn.Conv2d;
import io.github.t2i4j.core.nn.GroupNorm;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.nn.ModuleList;
import java.util.List;

/**
 * diffusers' VAE {@code Decoder}: conv_in to the widest channels, the attention mid block, one
 * {@link UpDecoderBlock2D} per level in reverse channel order (all but the last double the
 * resolution, each with layers_per_block + 1 resnets), GroupNorm, SiLU and conv_out.
 */
public class Decoder extends Module {
    private final Conv2d convIn;
    private final UNetMidBlock2D midBlock;
    private final ModuleList<UpDecoderBlock2D> upBlocks;
    private final GroupNorm convNormOut;
    private final Conv2d convOut;

    public Decoder(
            int inChannels,
            int outChannels,
            List<Integer> blockOutChannels,
            int layersPerBlock,
            int groups,
            String act,
            boolean midBlockAddAttention) {
        int levels = blockOutChannels.size();
        long last = blockOutChannels.get(levels - 1);
        float eps = Encoder.EPS;
        convIn = module("conv_in", new Conv2d(inChannels, last, 3));
        midBlock = module("mid_block", new UNetMidBlock2D(last, eps, act, groups, midBlockAddAttention));
        upBlocks = module("up_blocks", new ModuleList<>());
        long output = last;
        for (int i = 0; i < levels; i++) {
            long prev = output;
            output = blockOutChannels.get(levels - 1 - i);
            upBlocks.add(
                    new UpDecoderBlock2D(prev, output, layersPerBlock + 1, eps, act, groups, i < levels - 1));
        }
        long first = blockOutChannels.get(0);
        convNormOut = module("conv_norm_out", new GroupNorm(groups, first, eps));
        convOut = module("conv_out", new Conv2d(first, outChannels, 3));
    }

    /** [B, latent, h, w] (after post_quant_conv) to [B, out, h*f, w*f]. */
    public NDArray forward(NDArray z) {
        NDArray h = Scopes.step(z, z, convIn::forward);
        h = Scopes.step(h, z, midBlock::forward);
        for (UpDecoderBlock2D b : upBlocks) {
            h = Scopes.step(h, z, b::forward);
        }
        // conv_act is nn.SiLU() in diffusers whatever act_fn says
        return Scopes.step(h, z, a -> convOut.forward(Activations.silu(convNormOut.forward(a))));
    }
}
