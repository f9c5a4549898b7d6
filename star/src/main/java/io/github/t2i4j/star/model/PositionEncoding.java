package io.github.t2i4j.star.model;

/** How the STAR transformer's tokens know where they are in their scale. */
public enum PositionEncoding {
    /**
     * STAR's normalised 2D RoPE on q and k ({@link NormalizedRope2d}): every scale spans the same
     * square, so a longer scale schedule needs no new position parameters.
     */
    NORMALIZED_ROPE,
    /**
     * VAR's learned absolute table {@code pos_1LC} [1, L, C] (one block of pn*pn rows per scale)
     * added to the token embeddings, and no RoPE: a longer schedule needs the table resized.
     */
    ABSOLUTE
}
