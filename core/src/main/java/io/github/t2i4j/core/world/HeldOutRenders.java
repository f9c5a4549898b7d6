package io.github.t2i4j.core.world;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.tensor.HostArrays;
import java.util.ArrayList;
import java.util.List;

/**
 * Held-out examples and their reference renders as training jobs use them for validation: a fixed,
 * category-balanced prefix of every category's {@link HeldOutSet}.
 */
public final class HeldOutRenders {
    private HeldOutRenders() {}

    /**
     * The first {@code perCategory} held-out examples of every category (the six CompBench ones
     * and SINGLE), interleaved: example 0 of each category, then example 1 of each, ...
     */
    public static List<WorldExample> interleaved(int perCategory) {
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
    public static NDArray render(List<WorldExample> examples, int size, NDManager manager) {
        SceneRenderer renderer = new SceneRenderer(size);
        int plane = 3 * size * size;
        float[] data = new float[examples.size() * plane];
        for (int i = 0; i < examples.size(); i++) {
            System.arraycopy(renderer.renderCHW(examples.get(i).scene()), 0, data, i * plane, plane);
        }
        return HostArrays.owned(manager.create(data, new Shape(examples.size(), 3, size, size)));
    }
}
