package io.github.t2i4j.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;

/** {@code torch.nn.Embedding}: a lookup table [num, dim] indexed by integer ids. */
public class Embedding extends Module {
    private final Parameter weight;
    private final long num;

    public Embedding(long num, long dim) {
        this.num = num;
        this.weight = param("weight", Parameter.Type.WEIGHT, Init.normal(0.02f), num, dim);
    }

    /**
     * Looks up ids of any shape; the result has one more trailing dimension and lives on the ids'
     * manager (not the weight's, which would keep it as long as the model). This is {@code
     * torch.embedding}, whose backward pass sums each row's gradients in a fixed order; indexing
     * the weight instead ({@code weight[ids]}) back-propagates through an accumulating scatter that
     * PyTorch runs with atomic adds on several threads, so equal runs gave different gradients.
     */
    public NDArray forward(NDArray ids) {
        NDArray idx = ids.getDataType() == DataType.INT64 ? ids : ids.toType(DataType.INT64, false);
        return idx.getNDArrayInternal().embedding(idx, v(weight), SparseFormat.DENSE).singletonOrThrow();
    }

    public NDArray weight() {
        return v(weight);
    }

    public long size() {
        return num;
    }
}
