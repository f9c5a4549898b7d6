package io.github.t2i4j.star.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.tensor.HostArrays;
import io.github.t2i4j.core.world.Category;
import io.github.t2i4j.core.world.HeldOutSet;
import io.github.t2i4j.core.world.SceneRenderer;
import io.github.t2i4j.core.world.WorldExample;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** World data helpers shared by the STAR training jobs. */
final class WorldRenders {
    private WorldRenders() {}

    /**
     * The first {@code perCategory} held-out examples of every category, interleaved: example 0
     * of each category, then example 1 of each, ...
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

    /** SHA-256 of some files (e.g. a model folder's config and weights), hex. */
    static String digest(Path... files) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Path f : files) {
                md.update(Files.readAllBytes(f));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + List.of(files), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
