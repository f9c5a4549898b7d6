package io.github.t2i4j.core.models.unet;

/** diffusers' {@code DownBlock2D}: resnets, then an optional strided-conv downsampler. */
public class DownBlock2D extends UNetDownBlock {

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
        addResnets(numLayers, inChannels, outChannels, tembChannels, resnetEps, resnetActFn, resnetGroups);
        addDownsampler(addDownsample, outChannels, downsamplePadding);
    }
}
