package io.github.t2i4j.star.tokenizer;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.nn.Activations;
import io.github.t2i4j.core.nn.Conv2d;
import io.github.t2i4j.core.nn.GroupNorm;
import io.github.t2i4j.core.nn.Module;

/**
 * VAR's {@code ResnetBlock} ({@code models/basic_vae.py}): norm1, swish, conv1, norm2, swish,
 * dropout, conv2, plus a 1x1 {@code nin_shortcut} when the channel count changes. Same computation
 * as diffusers' VAE resnet, under the LDM names.
 */
public class ResnetBlock extends Module {
    /** VAR's {@code Normalize}: GroupNorm(32, C, eps=1e-6). */
    static final float EPS = 1e-6f;

    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d ninShortcut;
    private final float dropout;
    private boolean training;

    public ResnetBlock(long in, long out, double dropout) {
        this.dropout = (float) dropout;
        norm1 = module("norm1", new GroupNorm(VQVAEConfig.NORM_GROUPS, in, EPS));
        conv1 = module("conv1", new Conv2d(in, out, 3));
        norm2 = module("norm2", new GroupNorm(VQVAEConfig.NORM_GROUPS, out, EPS));
        conv2 = module("conv2", new Conv2d(out, out, 3));
        ninShortcut = in == out ? null : module("nin_shortcut", new Conv2d(in, out, 1, 1, 0, true));
    }

    /** Dropout (when its rate is above 1e-6, as in VAR) is applied only in training mode. */
    void setTraining(boolean training) {
        this.training = training;
    }

    public NDArray forward(NDArray x) {
        NDArray h = conv1.forward(Activations.silu(norm1.forward(x)));
        h = Activations.silu(norm2.forward(h));
        if (training && dropout > 1e-6f) {
            h = ai.djl.nn.norm.Dropout.dropout(h, dropout, true).head();
        }
        h = conv2.forward(h);
        return (ninShortcut == null ? x : ninShortcut.forward(x)).add(h);
    }
}
