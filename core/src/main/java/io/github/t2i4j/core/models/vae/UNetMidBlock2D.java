package io.github.t2i4j.core.models.vae;

import io.github.t2i4j.core.tensor.Scopes;
import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.models.Attention;
import io.github.t2i4j.core.models.ResnetBlock2D;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.nn.ModuleList;

/**
 * diffusers' {@code UNetMidBlock2D} as the VAE builds it (one layer, no timestep embedding):
 * resnet, single-head spatial self-attention with its own GroupNorm and a residual connection,
 * resnet. The attention's head dimension is the channel count (attention_head_dim = channels).
 */
public class UNetMidBlock2D extends Module {
    private final ModuleList<Attention> attentions;
    private final ModuleList<ResnetBlock2D> resnets;

    public UNetMidBlock2D(long channels, float eps, String act, int groups, boolean addAttention) {
        // diffusers registers attentions before resnets; names, not order, matter for loading
        attentions = module("attentions", new ModuleList<>());
        if (addAttention) {
            attentions.add(
                    new Attention(
                            new Attention.Options(
                                    channels, null, 1, (int) channels, true, true, groups, eps, true, 1f)));
        }
        resnets = module("resnets", new ModuleList<>());
        resnets.add(new ResnetBlock2D(channels, channels, null, groups, eps, act, 1f));
        resnets.add(new ResnetBlock2D(channels, channels, null, groups, eps, act, 1f));
    }

    public NDArray forward(NDArray x) {
        NDArray h = Scopes.step(x, x, a -> resnets.get(0).forward(a, null));
        if (attentions.size() > 0) {
            Attention attn = attentions.get(0);
            h = Scopes.step(h, x, attn::forward);
        }
        return Scopes.step(h, x, a -> resnets.get(1).forward(a, null));
    }
}
