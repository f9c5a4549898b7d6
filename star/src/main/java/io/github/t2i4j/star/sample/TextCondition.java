package io.github.t2i4j.star.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * What the STAR transformer is conditioned on for a batch of prompts: the text encoder's sequence
 * features (cross-attention), their key padding mask, and the pooled feature (start tokens).
 *
 * @param sequence text sequence features [B, T, in_dim_cross]
 * @param keepMask [B, T], non-zero for real tokens and 0 for padding; null when nothing is padded
 * @param pooled pooled text feature [B, in_dim_cross]
 */
public record TextCondition(NDArray sequence, NDArray keepMask, NDArray pooled) {

    public TextCondition {
        Shape s = sequence.getShape();
        if (s.dimension() != 3) {
            throw new IllegalArgumentException("text sequence must be [B, T, D], got " + s);
        }
        Shape p = pooled.getShape();
        if (p.dimension() != 2 || p.get(0) != s.get(0)) {
            throw new IllegalArgumentException("pooled text must be [" + s.get(0) + ", D], got " + p);
        }
        if (keepMask != null && !keepMask.getShape().equals(new Shape(s.get(0), s.get(1)))) {
            throw new IllegalArgumentException(
                    "keep mask must be [" + s.get(0) + ", " + s.get(1) + "], got " + keepMask.getShape());
        }
    }

    public int batchSize() {
        return (int) sequence.getShape().get(0);
    }

    /** The text length T. */
    public long length() {
        return sequence.getShape().get(1);
    }
}
