package io.github.t2i4j.core.models.unet;

/**
 * diffusers' {@code UpBlock2D}: resnets, each fed the previous output concatenated with a skip
 * connection, then an optional nearest-neighbour-and-conv upsampler.
 */
public class UpBlock2D extends UNetUpBlock {

    /**
     * @param inChannels width of the deepest skip connection this block takes (the last resnet's)
     * @param prevOutputChannel width of the incoming hidden state
     */
    public UpBlock2D(
            int numLayers,
            int inChannels,
            int prevOutputChannel,
            int outChannels,
            int tembChannels,
            boolean addUpsample,
            float resnetEps,
            String resnetActFn,
            int resnetGroups) {
        addResnets(numLayers, inChannels, prevOutputChannel, outChannels, tembChannels,
                resnetEps, resnetActFn, resnetGroups);
        addUpsampler(addUpsample, outChannels);
    }
}
