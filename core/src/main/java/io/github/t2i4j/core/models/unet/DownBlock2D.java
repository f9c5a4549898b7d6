package io.github.t2i4j.core.models.unet;

import io.github.t2i4j.core.tensor.Scopes;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.github.t2i4j.core.models.Downsample2D;
import io.github.t2i4j.core.models.ResnetBlock2D;
import io.github.t2i4j.core.nn.ModuleList;

/** diffusers' {@code DownBlock2D}: resnets, then an optional strided-conv downsampler. */
public class DownBlock2D extends UNetDownBlock {
    private final ModuleList<ResnetBlock2D> resnets;
    private final Downsample2D downsampler;

    public DownBlock2D(
            int numLayers,
            int inChannels,
            int outChannels,
            int tembChannels,
            boolean addDownsample,
            float resnetEps,
            String resnetActFn,
            int resnetGroups,
            int downsamplePadding) {
        this.resnets = module("resnets", new ModuleList<>());
        for (int i = 0; i < numLayers; i++) {
            resnets.add(new ResnetBlock2D(
                    i == 0 ? inChannels : outChannels, outChannels, (long) tembChannels,
                    resnetGroups, resnetEps, resnetActFn, 1f));
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
        for (ResnetBlock2D resnet : resnets) {
            NDArray in = hidden;
            hidden = Scopes.run(() -> resnet.forward(in, temb));
            outputStates.add(hidden);
        }
        if (downsampler != null) {
            NDArray in = hidden;
            outputStates.add(Scopes.run(() -> downsampler.forward(in)));
        }
        return outputStates;
    }
}
