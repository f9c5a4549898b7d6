package io.github.t2i4j.core.models.unet;

import io.github.t2i4j.core.tensor.Scopes;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.github.t2i4j.core.models.Downsample2D;
import io.github.t2i4j.core.models.ResnetBlock2D;
import io.github.t2i4j.core.nn.ModuleList;

/**
 * diffusers' {@code CrossAttnDownBlock2D}: pairs of resnet and {@link Transformer2DModel}, then
 * an optional strided-conv downsampler.
 */
public class CrossAttnDownBlock2D extends UNetDownBlock {
    private final ModuleList<Transformer2DModel> attentions;
    private final ModuleList<ResnetBlock2D> resnets;
    private final Downsample2D downsampler;

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
        this.resnets = module("resnets", new ModuleList<>());
        for (int i = 0; i < numLayers; i++) {
            resnets.add(new ResnetBlock2D(
                    i == 0 ? inChannels : outChannels, outChannels, (long) tembChannels,
                    resnetGroups, resnetEps, resnetActFn, 1f));
            attentions.add(new Transformer2DModel(
                    numAttentionHeads, outChannels / numAttentionHeads, outChannels,
                    transformerLayersPerBlock, crossAttentionDim, resnetGroups, useLinearProjection));
        }
        if (addDownsample) {
            ModuleList<Downsample2D> ds = module("downsamplers", new ModuleList<>());
            this.downsampler = ds.add(new Downsample2D(outChannels, outChannels, downsamplePadding));
        } else {
            this.downsampler = null;
        }
    }

    @Override
    public NDList forward(NDArray hidden, NDArray temb, NDArray encoderHiddenStates) {
        NDList outputStates = new NDList();
        for (int i = 0; i < resnets.size(); i++) {
            ResnetBlock2D resnet = resnets.get(i);
            Transformer2DModel attn = attentions.get(i);
            NDArray in = hidden;
            NDArray r = Scopes.run(() -> resnet.forward(in, temb));
            hidden = Scopes.run(() -> attn.forward(r, encoderHiddenStates));
            outputStates.add(hidden);
        }
        if (downsampler != null) {
            NDArray in = hidden;
            outputStates.add(Scopes.run(() -> downsampler.forward(in)));
        }
        return outputStates;
    }
}
