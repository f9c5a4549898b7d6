package io.github.t2i4j.core.world.ldm;

import io.github.t2i4j.core.tensor.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.world.Category;
import io.github.t2i4j.core.world.HeldOutSet;
import io.github.t2i4j.core.world.SceneRenderer;
import io.github.t2i4j.core.world.WorldExample;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Data helpers shared by the latent-diffusion training jobs. */
final class LdmData {
    private LdmData() {}

    /** Standard normal noise of {@code shape} drawn in Java from {@code rng} (row-major), never the engine's generator. */
    static NDArray gaussian(NDManager manager, SplittableRandom rng, Shape shape) {
        int n = Math.toIntExact(shape.size());
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) nextGaussian(rng);
        }
        return HostArrays.owned(manager.create(v, shape));
    }

    /** A standard normal value (Marsaglia's polar method; SplittableRandom has no nextGaussian on Java 17). */
    static double nextGaussian(SplittableRandom rng) {
        double u;
        double v;
        double s;
        do {
            u = 2 * rng.nextDouble() - 1;
            v = 2 * rng.nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        return u * Math.sqrt(-2 * Math.log(s) / s);
    }

    /**
     * The first {@code perCategory} held-out examples of every category (the six CompBench ones
     * and SINGLE), interleaved: example 0 of each category, then example 1 of each, ...
     */
    static List<WorldExample> heldOut(int perCategory) {
        List<List<WorldExample>> sets = new ArrayList<>();
        for (Category c : Category.values()) {
            sets.add(HeldOutSet.load(c));
        }
        List<WorldExample> out = new ArrayList<>();
        for (int i = 0; i < perCategory; i++) {
            for (List<WorldExample> set : sets) {
                if (i < set.size()) {
                    out.add(set.get(i));
                }
            }
        }
        return out;
    }

    /** The examples' reference scenes rendered as a [N, 3, size, size] batch in [-1, 1]. */
    static NDArray render(List<WorldExample> examples, int size, NDManager manager) {
        SceneRenderer renderer = new SceneRenderer(size);
        int plane = 3 * size * size;
        float[] data = new float[examples.size() * plane];
        for (int i = 0; i < examples.size(); i++) {
            System.arraycopy(renderer.renderCHW(examples.get(i).scene()), 0, data, i * plane, plane);
        }
        return HostArrays.owned(manager.create(data, new Shape(examples.size(), 3, size, size)));
    }

    /** Freezes every parameter of a model that is used but not trained (no gradients, no graph). */
    static void freeze(Module model) {
        for (Parameter p : model.namedParameters().values()) {
            p.freeze(true);
        }
    }
}
