package io.github.t2i4j.core.models.unet;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.nn.ModuleList;
import io.github.t2i4j.core.tensor.Scopes;

/**
 * diffusers' {@code CrossAttnDownBlock2D}: pairs of resnet and {@link Transformer2DModel}, then
 * an optional strided-conv downsampler.
 */
public class CrossAttnDownBlock2D extends UNetDownBlock {
    private final ModuleList<Transformer2DModel> attentions;

    /**
     * @param numAttentionHeads heads per transformer; the head width is {@code outChannels / heads}
     */
    public CrossAttnDownBlock2D(
            int numLayers,
            int transformerLayersPerBlock,
            int inChannels,
            int outChannels,
            int tembChannels,
            boolean addDownsample,
            float resnetEps,
            String resnetActFn,
            int resnetGroups,
            int numAttentionHeads,
            int crossAttentionDim,
            int downsamplePadding,
            boolean useLinearProjection) {
        this.attentions = module("attentions", new ModuleList<>());
        addResnets(numLayers, inChannels, outChannels, tembChannels, resnetEps, resnetActFn, resnetGroups);
        for (int i = 0; i < numLayers; i++) {
            attentions.add(new Transformer2DModel(
                    numAttentionHeads, outChannels / numAttentionHeads, outChannels,
                    transformerLayersPerBlock, crossAttentionDim, resnetGroups, useLinearProjection));
        }
        addDownsampler(addDownsample, outChannels, downsamplePadding);
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
