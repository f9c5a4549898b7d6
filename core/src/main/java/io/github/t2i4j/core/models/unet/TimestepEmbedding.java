package io.github.t2i4j.core.models.unet;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.nn.Activations;
import io.github.t2i4j.core.nn.Linear;
import io.github.t2i4j.core.nn.Module;

/**
 * diffusers' {@code TimestepEmbedding}: {@code linear_1}, activation, {@code linear_2} and an
 * optional post-activation. Embeds the sinusoidal timestep features, and for SDXL the
 * concatenated pooled text embedding and size/crop features ({@code add_embedding}).
 */
public class TimestepEmbedding extends Module {
    private final Linear linear1;
    private final Linear linear2;
    private final String act;
    private final String postAct;

    /**
     * @param postAct activation after {@code linear_2}, or null for none
     */
    public TimestepEmbedding(int inChannels, int timeEmbedDim, String act, String postAct) {
        this.linear1 = module("linear_1", new Linear(inChannels, timeEmbedDim));
        this.act = act;
        this.linear2 = module("linear_2", new Linear(timeEmbedDim, timeEmbedDim));
        this.postAct = postAct;
    }

    public NDArray forward(NDArray sample) {
        NDArray h = linear2.forward(Activations.apply(act, linear1.forward(sample)));
        return postAct == null ? h : Activations.apply(postAct, h);
    }
}
