package io.github.t2i4j.suti.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.models.unet.BlockConditioning;
import io.github.t2i4j.core.tensor.HostArrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The demonstrations of a batch as the neighbour layers read them: for each encoder level a layer
 * attends to, the UNet encoder's features of all of a sample's demonstrations at that level,
 * flattened and concatenated, [B, K*h*w, C], by the key the layers name ({@link
 * NeighborAttention#tokensKey()}). A sample whose features are all zero has no demonstrations.
 */
public final class DemonstrationFeatures {
    private final Map<String, NDArray> tokens;

    /** @param tokens [B, N, C] per key, every one with the same batch size */
    public DemonstrationFeatures(Map<String, NDArray> tokens) {
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("no demonstration features");
        }
        long b = -1;
        for (Map.Entry<String, NDArray> e : tokens.entrySet()) {
            Shape s = e.getValue().getShape();
            if (s.dimension() != 3 || (b >= 0 && s.get(0) != b)) {
                throw new IllegalArgumentException("demonstration features must be [B, N, C] with one batch size; "
                        + e.getKey() + " is " + s);
            }
            b = s.get(0);
        }
        this.tokens = Collections.unmodifiableMap(new LinkedHashMap<>(tokens));
    }

    /** The features by key, in encoder order. */
    public Map<String, NDArray> tokens() {
        return tokens;
    }

    /** The features under {@code key}, or null. */
    public NDArray get(String key) {
        return tokens.get(key);
    }

    public long batchSize() {
        return tokens.values().iterator().next().getShape().get(0);
    }

    /** Each sample's features repeated {@code n} times in a row (one subject for several images). */
    public DemonstrationFeatures repeat(long n) {
        return map(a -> a.repeat(0, n));
    }

    /** All-zero features of the same shapes: the same batch without demonstrations. */
    public DemonstrationFeatures none() {
        return map(NDArray::zerosLike);
    }

    /** The features with those of the samples whose {@code keep} is false set to zero (demonstrations dropped). */
    public DemonstrationFeatures keepOnly(boolean[] keep) {
        if (keep.length != batchSize()) {
            throw new IllegalArgumentException(keep.length + " flags for a batch of " + batchSize());
        }
        float[] mask = new float[keep.length];
        for (int i = 0; i < keep.length; i++) {
            mask[i] = keep[i] ? 1f : 0f;
        }
        return map(a -> {
            NDManager m = a.getManager();
            NDArray k = HostArrays.owned(m.create(mask, new Shape(keep.length, 1, 1))).toType(a.getDataType(), false);
            return a.mul(k);
        });
    }

    /** The batch of these samples followed by {@code other}'s (the two halves of a guided step). */
    public DemonstrationFeatures concat(DemonstrationFeatures other) {
        if (!tokens.keySet().equals(other.tokens.keySet())) {
            throw new IllegalArgumentException("features of other levels: " + tokens.keySet() + " and " + other.tokens.keySet());
        }
        Map<String, NDArray> out = new LinkedHashMap<>();
        tokens.forEach((k, a) -> out.put(k, a.concat(other.tokens.get(k), 0)));
        return new DemonstrationFeatures(out);
    }

    /** The UNet conditioning: {@code text} and these features for the neighbour layers. */
    public BlockConditioning conditioning(NDArray text) {
        return new BlockConditioning(text, tokens);
    }

    private DemonstrationFeatures map(UnaryOperator<NDArray> f) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        tokens.forEach((k, a) -> out.put(k, f.apply(a)));
        return new DemonstrationFeatures(out);
    }
}
