package io.github.t2i4j.core.models.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import io.github.t2i4j.core.nn.Conv2d;
import io.github.t2i4j.core.nn.GroupNorm;
import io.github.t2i4j.core.nn.Linear;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.nn.ModuleList;

/**
 * diffusers' {@code Transformer2DModel} for continuous (latent image) input: GroupNorm, a
 * projection into the transformer width ({@code proj_in}), {@link BasicTransformerBlock}s over
 * the H*W tokens, a projection back ({@code proj_out}) and the residual.
 *
 * <p>The projections are 1x1 convolutions in SD 1.x ({@code use_linear_projection} false) and
 * linear layers in SD 2.x/SDXL; both are applied here as one matrix product on the token-major
 * view, which is what a 1x1 convolution computes, so either layout costs the same.
 */
public class Transformer2DModel extends Module {
    private static final float GROUP_NORM_EPS = 1e-6f;

    private final GroupNorm norm;
    private final Module projIn;
    private final ModuleList<BasicTransformerBlock> transformerBlocks;
    private final Module projOut;
    private final int innerDim;

    public Transformer2DModel(
            int numAttentionHeads,
            int attentionHeadDim,
            int inChannels,
            int numLayers,
            int crossAttentionDim,
            int normNumGroups,
            boolean useLinearProjection) {
        this.innerDim = numAttentionHeads * attentionHeadDim;
        this.norm = module("norm", new GroupNorm(normNumGroups, inChannels, GROUP_NORM_EPS));
        this.projIn = module("proj_in", projection(inChannels, innerDim, useLinearProjection));
        this.transformerBlocks = module("transformer_blocks", new ModuleList<>());
        for (int i = 0; i < numLayers; i++) {
            transformerBlocks.add(new BasicTransformerBlock(
                    innerDim, numAttentionHeads, attentionHeadDim, crossAttentionDim));
        }
        this.projOut = module("proj_out", projection(innerDim, inChannels, useLinearProjection));
    }

    private static Module projection(long in, long out, boolean linear) {
        return linear ? new Linear(in, out) : new Conv2d(in, out, 1, 1, 0, true);
    }

    /**
     * @param hidden [B, C, H, W]
     * @param encoderHiddenStates [B, S, crossAttentionDim]
     */
    public NDArray forward(NDArray hidden, NDArray encoderHiddenStates) {
        return forward(hidden, BlockConditioning.text(encoderHiddenStates));
    }

    /** The transformer blocks, in order (to attach {@link TokenFuser}s to). */
    public List<BasicTransformerBlock> transformerBlocks() {
        return transformerBlocks.asList();
    }

    /**
     * @param hidden [B, C, H, W]
     * @param cond the text states [B, S, crossAttentionDim] and any fusers' extra tokens
     */
    public NDArray forward(NDArray hidden, BlockConditioning cond) {
        Shape s = hidden.getShape();
        long b = s.get(0);
        long c = s.get(1);
        // [B, C, H, W] -> tokens [B, H*W, C] (a strided view; the projection reads it directly)
        NDArray tokens = norm.forward(hidden).reshape(b, c, -1).swapAxes(1, 2);
        NDArray h = project(projIn, tokens);
        for (BasicTransformerBlock block : transformerBlocks) {
            h = block.forward(h, cond);
        }
        h = project(projOut, h); // [B, H*W, C]
        return h.swapAxes(1, 2).reshape(s).add(hidden);
    }

    /** A Linear, or a 1x1 Conv2d applied to the token view (what it computes on the image). */
    private static NDArray project(Module projection, NDArray tokens) {
        return projection instanceof Linear linear
                ? linear.forward(tokens)
                : ((Conv2d) projection).forwardTokens(tokens);
    }
}
