package io.github.t2i4j.core.models.unet;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.nn.ModuleList;
import io.github.t2i4j.core.tensor.Scopes;

/**
 * diffusers' {@code CrossAttnUpBlock2D}: pairs of resnet (on the previous output concatenated
 * with a skip connection) and {@link Transformer2DModel}, then an optional upsampler.
 */
public class CrossAttnUpBlock2D extends UNetUpBlock {
    private final ModuleList<Transformer2DModel> attentions;

    /**
     * @param inChannels width of the deepest skip connection this block takes (the last resnet's)
     * @param prevOutputChannel width of the incoming hidden state
     */
    public CrossAttnUpBlock2D(
            int numLayers,
            int transformerLayersPerBlock,
            int inChannels,
            int prevOutputChannel,
            int outChannels,
            int tembChannels,
            boolean addUpsample,
            float resnetEps,
            String resnetActFn,
            int resnetGroups,
            int numAttentionHeads,
            int crossAttentionDim,
            boolean useLinearProjection) {
        this.attentions = module("attentions", new ModuleList<>());
        addResnets(numLayers, inChannels, prevOutputChannel, outChannels, tembChannels,
                resnetEps, resnetActFn, resnetGroups);
        for (int i = 0; i < numLayers; i++) {
            attentions.add(new Transformer2DModel(
                    numAttentionHeads, outChannels / numAttentionHeads, outChannels,
                    transformerLayersPerBlock, crossAttentionDim, resnetGroups, useLinearProjection));
        }
        addUpsampler(addUpsample, outChannels);
    }

    @Override
    protected NDArray afterResnet(int i, NDArray hidden, BlockConditioning cond) {
        Transformer2DModel attn = attentions.get(i);
        return Scopes.run(() -> attn.forward(hidden, cond));
    }

    @Override
    public java.util.List<Transformer2DModel> attentions() {
        return attentions.asList();
    }
}
