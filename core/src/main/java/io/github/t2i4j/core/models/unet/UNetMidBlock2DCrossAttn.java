package io.github.t2i4j.core.models.unet;

import io.github.t2i4j.core.tensor.Scopes;
import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.models.ResnetBlock2D;
import io.github.t2i4j.core.nn.ModuleList;
import io.github.t2i4j.core.nn.Module;

/**
 * diffusers' {@code UNetMidBlock2DCrossAttn}: a resnet, then (transformer, resnet) pairs at the
 * lowest resolution.
 */
public class UNetMidBlock2DCrossAttn extends Module {
    private final ModuleList<Transformer2DModel> attentions;
    private final ModuleList<ResnetBlock2D> resnets;

    public UNetMidBlock2DCrossAttn(
            int numLayers,
            int transformerLayersPerBlock,
            int inChannels,
            int tembChannels,
            float resnetEps,
            String resnetActFn,
            float outputScaleFactor,
            int numAttentionHeads,
            int crossAttentionDim,
            int resnetGroups,
            boolean useLinearProjection) {
        this.attentions = module("attentions", new ModuleList<>());
        this.resnets = module("resnets", new ModuleList<>());
        resnets.add(new ResnetBlock2D(
                inChannels, inChannels, (long) tembChannels, resnetGroups, resnetEps, resnetActFn, outputScaleFactor));
        for (int i = 0; i < numLayers; i++) {
            attentions.add(new Transformer2DModel(
                    numAttentionHeads, inChannels / numAttentionHeads, inChannels,
                    transformerLayersPerBlock, crossAttentionDim, resnetGroups, useLinearProjection));
            resnets.add(new ResnetBlock2D(
                    inChannels, inChannels, (long) tembChannels, resnetGroups, resnetEps, resnetActFn,
                    outputScaleFactor));
        }
    }

    public NDArray forward(NDArray hidden, NDArray temb, BlockConditioning cond) {
        ResnetBlock2D first = resnets.get(0);
        NDArray h0 = hidden;
        hidden = Scopes.run(() -> first.forward(h0, temb));
        for (int i = 0; i < attentions.size(); i++) {
            Transformer2DModel attn = attentions.get(i);
            ResnetBlock2D resnet = resnets.get(i + 1);
            NDArray in = hidden;
            NDArray a = Scopes.run(() -> attn.forward(in, cond));
            hidden = Scopes.run(() -> resnet.forward(a, temb));
        }
        return hidden;
    }

    /** The mid block's transformers ({@code attentions.i}), in order. */
    public java.util.List<Transformer2DModel> attentions() {
        return attentions.asList();
    }
}
