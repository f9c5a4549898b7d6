package io.github.t2i4j.core.models;

import io.github.t2i4j.core.tensor.Scalars;
import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.nn.Activations;
import io.github.t2i4j.core.nn.Conv2d;
import io.github.t2i4j.core.nn.GroupNorm;
import io.github.t2i4j.core.nn.Linear;
import io.github.t2i4j.core.nn.Module;

/**
 * diffusers' {@code ResnetBlock2D} ("default" time-embedding norm): two GroupNorm-activation-conv
 * stages, the timestep embedding added in between, and a 1x1 shortcut when channels change.
 */
public class ResnetBlock2D extends Module {

    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final Linear timeEmbProj;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d convShortcut;
    private final String act;
    private final float outputScaleFactor;

    /**
     * @param tembChannels width of the timestep embedding, or null for none (the VAE)
     */
    public ResnetBlock2D(
            long in,
            long out,
            Long tembChannels,
            int groups,
            float eps,
            String act,
            float outputScaleFactor) {
        this.act = act;
        this.outputScaleFactor = outputScaleFactor;
        this.norm1 = module("norm1", new GroupNorm(groups, in, eps));
        this.conv1 = module("conv1", new Conv2d(in, out, 3));
        this.timeEmbProj = tembChannels == null ? null : module("time_emb_proj", new Linear(tembChannels, out));
        this.norm2 = module("norm2", new GroupNorm(groups, out, eps));
        this.conv2 = module("conv2", new Conv2d(out, out, 3));
        this.convShortcut = in == out ? null : module("conv_shortcut", new Conv2d(in, out, 1, 1, 0, true));
    }

    public NDArray forward(NDArray x, NDArray temb) {
        NDArray h = conv1.forward(Activations.apply(act, norm1.forward(x)));
        if (timeEmbProj != null && temb != null) {
            NDArray t = timeEmbProj.forward(Activations.apply(act, temb));
            h = h.add(t.reshape(t.getShape().get(0), t.getShape().get(1), 1, 1));
        }
        h = conv2.forward(Activations.apply(act, norm2.forward(h)));
        NDArray skip = convShortcut == null ? x : convShortcut.forward(x);
        NDArray out = skip.add(h);
        return outputScaleFactor == 1f ? out : Scalars.div(out, outputScaleFactor);
    }
}
