package io.github.t2i4j.core.text;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.nn.Activations;
import io.github.t2i4j.core.nn.Linear;
import io.github.t2i4j.core.nn.Module;

/** transformers' {@code CLIPMLP}: fc1, the configured activation, fc2. */
public class CLIPMLP extends Module {
    private final String activation;
    private final Linear fc1;
    private final Linear fc2;

    public CLIPMLP(CLIPEncoderConfig config) {
        this.activation = config.hiddenAct();
        this.fc1 = module("fc1", new Linear(config.hiddenSize(), config.intermediateSize()));
        this.fc2 = module("fc2", new Linear(config.intermediateSize(), config.hiddenSize()));
    }

    public NDArray forward(NDArray x) {
        return fc2.forward(Activations.apply(activation, fc1.forward(x)));
    }
}
