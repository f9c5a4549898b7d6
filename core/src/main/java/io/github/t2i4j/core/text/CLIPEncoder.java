package io.github.t2i4j.core.text;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.nn.ModuleList;
import java.util.ArrayList;
import java.util.List;

/** transformers' {@code CLIPEncoder}: the stack of {@link CLIPEncoderLayer}s. */
public class CLIPEncoder extends Module {
    private final ModuleList<CLIPEncoderLayer> layers;

    public CLIPEncoder(CLIPEncoderConfig config) {
        this.layers = module("layers", new ModuleList<>());
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            layers.add(new CLIPEncoderLayer(config));
        }
    }

    /**
     * Runs every layer and returns transformers' {@code hidden_states}: the input followed by the
     * output of each layer (numHiddenLayers + 1 arrays; the last is the encoder's output).
     */
    public List<NDArray> forward(NDArray x, NDArray bias) {
        List<NDArray> states = new ArrayList<>(layers.size() + 1);
        states.add(x);
        for (CLIPEncoderLayer layer : layers) {
            x = layer.forward(x, bias);
            states.add(x);
        }
        return states;
    }

    public ModuleList<CLIPEncoderLayer> layers() {
        return layers;
    }
}
