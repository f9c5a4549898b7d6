package io.github.t2i4j.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;

/** {@code torch.nn.Embedding}: a lookup table [num, dim] indexed by integer ids. */
public class Embedding extends Module {
    private final Parameter weight;
    private final long num;

    public Embedding(long num, long dim) {
        this.num = num;
        this.weight = param("weight", Parameter.Type.WEIGHT, Init.normal(0.02f), num, dim);
    }

    /** Looks up ids of any shape; the result has one more trailing dimension. */
    public NDArray forward(NDArray ids) {
        NDArray flat = ids.flatten();
        // index on the ids' manager: a result attached to the weight's manager would live as long
        // as the model
        NDArray rows =
                v(weight)
                        .get(
                                ids.getManager(),
                                new NDIndex("{}, :", flat.toType(ai.djl.ndarray.types.DataType.INT64, false)));
        long[] dims = new long[ids.getShape().dimension() + 1];
        System.arraycopy(ids.getShape().getShape(), 0, dims, 0, dims.length - 1);
        dims[dims.length - 1] = rows.getShape().get(1);
        return rows.reshape(dims);
    }

    public NDArray weight() {
        return v(weight);
    }

    public long size() {
        return num;
    }
}
