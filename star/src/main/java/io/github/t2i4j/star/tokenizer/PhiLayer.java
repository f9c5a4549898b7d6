package io.github.t2i4j.star.tokenizer;

import ai.djl.ndarray.NDArray;

/** A {@link Phi}, or VAR's parameterless {@code nn.Identity} when |quant_resi| &lt;= 1e-6. */
public interface PhiLayer {
    /** The refined code map (a new array). */
    NDArray apply(NDArray h);
}
