package io.github.t2i4j.core.models.unet;

import io.github.t2i4j.core.tensor.Scopes;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import io.github.t2i4j.core.models.ResnetBlock2D;
import io.github.t2i4j.core.models.Upsample2D;
import io.github.t2i4j.core.nn.ModuleList;
import java.util.List;

/**
 * diffusers' {@code UpBlock2D}: resnets, each fed the previous output concatenated with a skip
 * connection, then an optional nearest-neighbour-and-conv upsampler.
 */
public class UpBlock2D extends UNetUpBlock {
    private final ModuleList<ResnetBlock2D> resnets;
    private final Upsample2D upsampler;

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
        this.resnets = module("resnets", new ModuleList<>());
        for (int i = 0; i < numLayers; i++) {
            int resSkip = i == numLayers - 1 ? inChannels : outChannels;
            int resnetIn = i == 0 ? prevOutputChannel : outChannels;
            resnets.add(new ResnetBlock2D(
                    resnetIn + resSkip, outChannels, (long) tembChannels, resnetGroups, resnetEps, resnetActFn, 1f));
        }
        if (addUpsample) {
            ModuleList<Upsample2D> us = module("upsamplers", new ModuleList<>());
            this.upsampler = us.add(new Upsample2D(outChannels, outChannels));
        } else {
            this.upsampler = null;
        }
    }

    @Override
    public int numResnets() {
        return resnets.size();
    }

    @Override
    public NDArray forward(
            NDArray hidden,
            List<NDArray> resHiddenStates,
            NDArray temb,
            NDArray encoderHiddenStates,
            long[] upsampleSize) {
        int n = resHiddenStates.size();
        for (int i = 0; i < resnets.size(); i++) {
            ResnetBlock2D resnet = resnets.get(i);
            NDArray in = hidden;
            NDArray skip = resHiddenStates.get(n - 1 - i);
            hidden = Scopes.run(() -> resnet.forward(NDArrays.concat(new NDList(in, skip), 1), temb));
        }
        if (upsampler != null) {
            NDArray in = hidden;
            hidden = Scopes.run(() -> upsampler.forward(in, upsampleSize));
        }
        return hidden;
    }
}
