package io.github.t2i4j.star.tokenizer;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.nn.Activations;
import io.github.t2i4j.core.nn.Conv2d;
import io.github.t2i4j.core.nn.GroupNorm;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.nn.ModuleList;
import io.github.t2i4j.core.tensor.Scopes;

/**
 * VAR's (LDM's) VQ {@code Decoder}: {@code conv_in} from {@code z_channels}, the {@code mid} block,
 * then levels from the deepest up ({@code up.i} is indexed by resolution level, as LDM prepends
 * them): {@code num_res_blocks + 1} resnets each (attention after each on the deepest level), a 2x
 * nearest {@code upsample} with conv on all but level 0; {@code norm_out}, swish, {@code conv_out}
 * to RGB.
 */
public class Decoder extends Module {
    private final Conv2d convIn;
    private final Encoder.Mid mid;
    private final ModuleList<Encoder.Level> up;
    private final GroupNorm normOut;
    private final Conv2d convOut;

    public Decoder(VQVAEConfig c) {
        int levels = c.levels();
        long deepest = (long) c.ch() * c.chMult().get(levels - 1);
        convIn = module("conv_in", new Conv2d(c.zChannels(), deepest, 3));
        mid = module("mid", new Encoder.Mid(deepest, c.usingMidSa(), c.dropout()));
        up = module("up", new ModuleList<>());
        for (int i = 0; i < levels; i++) {
            // level i is run after level i+1, so its input width is level i+1's output width
            long blockIn = i == levels - 1 ? deepest : (long) c.ch() * c.chMult().get(i + 1);
            long blockOut = (long) c.ch() * c.chMult().get(i);
            boolean attn = i == levels - 1 && c.usingSa();
            up.add(new Encoder.Level(blockIn, blockOut, c.numResBlocks() + 1, attn, c.dropout(), i != 0, true));
        }
        long last = c.ch() * (long) c.chMult().get(0);
        normOut = module("norm_out", new GroupNorm(VQVAEConfig.NORM_GROUPS, last, ResnetBlock.EPS));
        convOut = module("conv_out", new Conv2d(last, VQVAEConfig.IMAGE_CHANNELS, 3));
    }

    /** [B, z_channels, h, w] latent to a [B, 3, h*f, w*f] image (not clamped). */
    public NDArray forward(NDArray z) {
        NDArray h = Scopes.step(z, z, a -> mid.forward(convIn.forward(a)));
        for (int i = up.size() - 1; i >= 0; i--) {
            Encoder.Level level = up.get(i);
            for (int j = 0; j < level.blocks(); j++) {
                int jj = j;
                h = Scopes.step(h, z, a -> level.resnetAndAttn(jj, a));
            }
            if (level.hasResample()) {
                h = Scopes.step(h, z, level::resample);
            }
        }
        return Scopes.step(h, z, a -> convOut.forward(Activations.silu(normOut.forward(a))));
    }
}
