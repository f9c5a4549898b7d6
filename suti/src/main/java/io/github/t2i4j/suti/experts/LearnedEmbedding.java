package io.github.t2i4j.suti.experts;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.io.SafetensorsWriter;
import io.github.t2i4j.core.tensor.HostArrays;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A Textual Inversion result: the placeholder string and its learned embedding vector. Saved as
 * diffusers' {@code learned_embeds.safetensors} is: one float32 tensor [1, D] keyed by the
 * placeholder (loading also accepts a [D] vector, as diffusers' {@code load_textual_inversion}
 * does).
 */
public final class LearnedEmbedding {
    private final String placeholder;
    private final float[] vector;

    public LearnedEmbedding(String placeholder, float[] vector) {
        if (placeholder == null || placeholder.isBlank() || vector.length == 0) {
            throw new IllegalArgumentException("need a placeholder and a non-empty vector");
        }
        this.placeholder = placeholder;
        this.vector = vector.clone();
    }

    public String placeholder() {
        return placeholder;
    }

    public float[] vector() {
        return vector.clone();
    }

    /** The vector as a [1, D] float32 array on {@code manager}. */
    public NDArray row(NDManager manager) {
        return HostArrays.owned(manager.create(vector, new Shape(1, vector.length)));
    }

    /** Writes {@code {placeholder: [1, D] float32}} to {@code file}. */
    public void save(Path file) {
        try (NDManager m = NDManager.newBaseManager()) {
            SafetensorsWriter.save(Map.of(placeholder, row(m)), file);
        }
    }

    /** Reads a file with one tensor ([1, D] or [D]) keyed by its placeholder. */
    public static LearnedEmbedding load(Path file) {
        try (SafetensorsFile f = SafetensorsFile.open(file); NDManager m = NDManager.newBaseManager()) {
            if (f.names().size() != 1) {
                throw new IllegalArgumentException(file + " holds " + f.names().size()
                        + " tensors; a learned embedding file holds one, keyed by its placeholder");
            }
            String name = f.names().iterator().next();
            NDArray a = f.load(name, m, DataType.FLOAT32);
            Shape s = a.getShape();
            if (!(s.dimension() == 1 || (s.dimension() == 2 && s.get(0) == 1))) {
                throw new IllegalArgumentException(file + ": '" + name + "' is " + s + ", not one vector");
            }
            return new LearnedEmbedding(name, a.toFloatArray());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LearnedEmbedding e && e.placeholder.equals(placeholder) && Arrays.equals(e.vector, vector);
    }

    @Override
    public int hashCode() {
        return placeholder.hashCode() * 31 + Arrays.hashCode(vector);
    }
}
