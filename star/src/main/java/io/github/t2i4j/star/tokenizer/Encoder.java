package io.github.t2i4j.star.tokenizer;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.models.Downsample2D;
import io.github.t2i4j.core.nn.Activations;
import io.github.t2i4j.core.nn.Conv2d;
import io.github.t2i4j.core.nn.GroupNorm;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.nn.ModuleList;
import io.github.t2i4j.core.tensor.Scopes;

/**
 * VAR's (LDM's) VQ {@code Encoder}: {@code conv_in}; per level {@code down.i.block.j} resnets
 * (with {@code down.i.attn.j} after each on the last level), a 2x {@code down.i.downsample} on all
 * but the last; the {@code mid} block (resnet, attention, resnet); {@code norm_out}, swish,
 * {@code conv_out} to {@code z_channels}.
 */
public class Encoder extends Module {
    private final Conv2d convIn;
    private final ModuleList<Level> down;
    private final Mid mid;
    private final GroupNorm normOut;
    private final Conv2d convOut;

    public Encoder(VQVAEConfig c) {
        int levels = c.levels();
        convIn = module("conv_in", new Conv2d(VQVAEConfig.IMAGE_CHANNELS, c.ch(), 3));
        down = module("down", new ModuleList<>());
        long blockIn = c.ch();
        for (int i = 0; i < levels; i++) {
            long blockOut = (long) c.ch() * c.chMult().get(i);
            boolean attn = i == levels - 1 && c.usingSa();
            down.add(new Level(blockIn, blockOut, c.numResBlocks(), attn, c.dropout(), i != levels - 1, false));
            blockIn = blockOut;
        }
        mid = module("mid", new Mid(blockIn, c.usingMidSa(), c.dropout()));
        normOut = module("norm_out", new GroupNorm(VQVAEConfig.NORM_GROUPS, blockIn, ResnetBlock.EPS));
        convOut = module("conv_out", new Conv2d(blockIn, c.zChannels(), 3));
    }

    /** [B, 3, H, W] image in [-1, 1] to [B, z_channels, H/f, W/f]. */
    public NDArray forward(NDArray image) {
        NDArray h = Scopes.step(image, image, convIn::forward);
        for (Level level : down) {
            for (int j = 0; j < level.blocks(); j++) {
                int jj = j;
                h = Scopes.step(h, image, a -> level.resnetAndAttn(jj, a));
            }
            if (level.hasResample()) {
                h = Scopes.step(h, image, level::resample);
            }
        }
        h = Scopes.step(h, image, mid::forward);
        return Scopes.step(h, image, a -> convOut.forward(Activations.silu(normOut.forward(a))));
    }

    /**
     * One resolution level ({@code down.i} / {@code up.i}): resnets {@code block.j}, attentions
     * {@code attn.j} (possibly none) and the resampler ({@code downsample} / {@code upsample}).
     */
    static final class Level extends Module {
        private final ModuleList<ResnetBlock> block;
        private final ModuleList<AttnBlock> attn;
        private final Module resample;

        Level(long in, long out, int n, boolean withAttn, double dropout, boolean resample, boolean up) {
            block = module("block", new ModuleList<>());
            attn = module("attn", new ModuleList<>());
            for (int j = 0; j < n; j++) {
                block.add(new ResnetBlock(j == 0 ? in : out, out, dropout));
                if (withAttn) {
                    attn.add(new AttnBlock(out));
                }
            }
            if (!resample) {
                this.resample = null;
            } else if (up) {
                this.resample = module("upsample", new io.github.t2i4j.core.models.Upsample2D(out, out));
            } else {
                // VAR's Downsample2x: pad right/bottom by one, 3x3 stride-2 conv without padding
                this.resample = module("downsample", new Downsample2D(out, out, 0));
            }
        }

        int blocks() {
            return block.size();
        }

        NDArray resnetAndAttn(int j, NDArray x) {
            NDArray h = block.get(j).forward(x);
            return attn.size() > 0 ? attn.get(j).forward(h) : h;
        }

        NDArray resample(NDArray x) {
            if (resample instanceof Downsample2D d) {
                return d.forward(x);
            }
            // VAR's Upsample2x: nearest x2, 3x3 conv
            return ((io.github.t2i4j.core.models.Upsample2D) resample).forward(x, null);
        }

        boolean hasResample() {
            return resample != null;
        }
    }

    /** The {@code mid} block: {@code block_1}, {@code attn_1} (if used), {@code block_2}. */
    static final class Mid extends Module {
        private final ResnetBlock block1;
        private final AttnBlock attn1;
        private final ResnetBlock block2;

        Mid(long channels, boolean withAttn, double dropout) {
            block1 = module("block_1", new ResnetBlock(channels, channels, dropout));
            attn1 = withAttn ? module("attn_1", new AttnBlock(channels)) : null;
            block2 = module("block_2", new ResnetBlock(channels, channels, dropout));
        }

        NDArray forward(NDArray x) {
            NDArray h = block1.forward(x);
            if (attn1 != null) {
                h = attn1.forward(h);
            }
            return block2.forward(h);
        }
    }
}
