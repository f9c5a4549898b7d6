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
 * diffusers' VAE {@code Encoder}: conv_in, one {@link DownEncoderBlock2D} per level (all but the
 * last halve the resolution), the attention mid block, GroupNorm, SiLU and conv_out to twice the
 * latent channels (mean and log-variance).
 */
public class Encoder extends Module {
    /** diffusers hard-codes this epsilon for every norm of the VAE. */
    static final float EPS = 1e-6f;

    private final Conv2d convIn;
    private final ModuleList<DownEncoderBlock2D> downBlocks;
    private final UNetMidBlock2D midBlock;
    private final GroupNorm convNormOut;
    private final Conv2d convOut;

    public Encoder(
            int inChannels,
            int outChannels,
            List<Integer> blockOutChannels,
            int layersPerBlock,
            int groups,
            String act,
            boolean doubleZ,
            boolean midBlockAddAttention) {
        int levels = blockOutChannels.size();
        long last = blockOutChannels.get(levels - 1);
        convIn = module("conv_in", new Conv2d(inChannels, blockOutChannels.get(0), 3));
        downBlocks = module("down_blocks", new ModuleList<>());
        long output = blockOutChannels.get(0);
        for (int i = 0; i < levels; i++) {
            long input = output;
            output = blockOutChannels.get(i);
            downBlocks.add(
                    new DownEncoderBlock2D(input, output, layersPerBlock, EPS, act, groups, i < levels - 1));
        }
        midBlock = module("mid_block", new UNetMidBlock2D(last, EPS, act, groups, midBlockAddAttention));
        convNormOut = module("conv_norm_out", new GroupNorm(groups, last, EPS));
        convOut = module("conv_out", new Conv2d(last, doubleZ ? 2L * outChannels : outChannels, 3));
    }

    /** [B, in, H, W] image to [B, 2*latent, H/f, W/f] moments. */
    public NDArray forward(NDArray image) {
        NDArray h = Scopes.step(image, image, convIn::forward);
        for (DownEncoderBlock2D b : downBlocks) {
            h = Scopes.step(h, image, b::forward);
        }
        h = Scopes.step(h, image, midBlock::forward);
        // conv_act is nn.SiLU() in diffusers whatever act_fn says
        return Scopes.step(h, image, a -> convOut.forward(Activations.silu(convNormOut.forward(a))));
    }
}
