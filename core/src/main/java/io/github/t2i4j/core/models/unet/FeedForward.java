package io.github.t2i4j.core.models.unet;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.nn.Linear;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.nn.ModuleList;

/**
 * diffusers' {@code FeedForward} with the "geglu" activation: {@code net.0} GEGLU to 4x the
 * width, {@code net.1} dropout, {@code net.2} linear back.
 */
public class FeedForward extends Module {
    private final GEGLU geglu;
    private final Linear out;

    public FeedForward(long dim) {
        this(dim, dim, 4);
    }

    public FeedForward(long dim, long dimOut, int mult) {
        long inner = dim * mult;
        ModuleList<Module> net = module("net", new ModuleList<>());
        this.geglu = new GEGLU(dim, inner);
        this.out = new Linear(inner, dimOut);
        net.add(geglu);
        net.add(new Dropout());
        net.add(out);
    }

    public NDArray forward(NDArray x) {
        return out.forward(geglu.forward(x));
    }
}
