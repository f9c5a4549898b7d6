package io.github.t2i4j.star.tokenizer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.nn.AttentionOps;
import io.github.t2i4j.core.nn.Conv2d;
import io.github.t2i4j.core.nn.GroupNorm;
import io.github.t2i4j.core.nn.Module;

/**
 * VAR's {@code AttnBlock}: single-head self-attention over the H*W positions of a feature map, with
 * one fused 1x1 convolution {@code qkv} (3C outputs: q, k, v in that order), scale C^-1/2, a 1x1
 * {@code proj_out} and a residual connection.
 */
public class AttnBlock extends Module {
    private final long channels;
    private final GroupNorm norm;
    private final Conv2d qkv;
    private final Conv2d projOut;

    public AttnBlock(long channels) {
        this.channels = channels;
        norm = module("norm", new GroupNorm(VQVAEConfig.NORM_GROUPS, channels, ResnetBlock.EPS));
        qkv = module("qkv", new Conv2d(channels, 3 * channels, 1, 1, 0, true));
        projOut = module("proj_out", new Conv2d(channels, channels, 1, 1, 0, true));
    }

    public NDArray forward(NDArray x) {
        Shape s = x.getShape();
        long b = s.get(0);
        long hw = s.get(2) * s.get(3);
        // channels-last tokens [B, HW, C]; the 1x1 convolutions act on them as matrix products
        NDArray tokens = norm.forward(x).reshape(b, channels, hw).transpose(0, 2, 1);
        NDArray qkvTokens = qkv.forwardTokens(tokens); // [B, HW, 3C]
        NDList parts = qkvTokens.split(3, 2);
        NDArray attended =
                AttentionOps.scaledDotProduct(
                        parts.get(0), parts.get(1), parts.get(2), null, (float) (1.0 / Math.sqrt(channels)));
        NDArray out = projOut.forwardTokens(attended).transpose(0, 2, 1).reshape(s);
        return x.add(out);
    }
}
