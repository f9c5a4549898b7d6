package io.github.t2i4j.core.models.vae;

import io.github.t2i4j.core.tensor.Scopes;
import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.models.ResnetBlock2D;
import io.github.t2i4j.core.models.Upsample2D;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.nn.ModuleList;

/**
 * diffusers' {@code UpDecoderBlock2D}: {@code num_layers} resnets (the decoder passes
 * layers_per_block + 1), then (except at the last level) nearest x2 upsampling and a 3x3 conv.
 */
public class UpDecoderBlock2D extends Module {
    private final ModuleList<ResnetBlock2D> resnets;
    private final ModuleList<Upsample2D> upsamplers;

    public UpDecoderBlock2D(
            long in, long out, int numLayers, float eps, String act, int groups, boolean addUpsample) {
        resnets = module("resnets", new ModuleList<>());
        for (int i = 0; i < numLayers; i++) {
            resnets.add(new ResnetBlock2D(i == 0 ? in : out, out, null, groups, eps, act, 1f));
        }
        if (addUpsample) {
            upsamplers = module("upsamplers", new ModuleList<>());
            upsamplers.add(new Upsample2D(out, out));
        } else {
            upsamplers = null;
        }
    }

    public NDArray forward(NDArray x) {
        NDArray h = x;
        for (ResnetBlock2D r : resnets) {
            h = Scopes.step(h, x, a -> r.forward(a, null));
        }
        if (upsamplers != null) {
            for (Upsample2D u : upsamplers) {
                h = Scopes.step(h, x, a -> u.forward(a, null));
            }
        }
        return h;
    }
}
