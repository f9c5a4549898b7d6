package io.github.t2i4j.core.models.vae;

import io.github.t2i4j.core.tensor.Scopes;
import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.models.Downsample2D;
import io.github.t2i4j.core.models.ResnetBlock2D;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.nn.ModuleList;

/**
 * diffusers' {@code DownEncoderBlock2D}: {@code num_layers} resnets without a timestep embedding,
 * then (except at the last level) a stride-2 conv that pads right and bottom by one pixel.
 */
public class DownEncoderBlock2D extends Module {
    private final ModuleList<ResnetBlock2D> resnets;
    private final ModuleList<Downsample2D> downsamplers;

    public DownEncoderBlock2D(
            long in, long out, int numLayers, float eps, String act, int groups, boolean addDownsample) {
        resnets = module("resnets", new ModuleList<>());
        for (int i = 0; i < numLayers; i++) {
            resnets.add(new ResnetBlock2D(i == 0 ? in : out, out, null, groups, eps, act, 1f));
        }
        if (addDownsample) {
            downsamplers = module("downsamplers", new ModuleList<>());
            downsamplers.add(new Downsample2D(out, out, 0));
        } else {
            downsamplers = null;
        }
    }

    public NDArray forward(NDArray x) {
        NDArray h = x;
        for (ResnetBlock2D r : resnets) {
            h = Scopes.step(h, x, a -> r.forward(a, null));
        }
        if (downsamplers != null) {
            for (Downsample2D d : downsamplers) {
                h = Scopes.step(h, x, d::forward);
            }
        }
        return h;
    }
}
