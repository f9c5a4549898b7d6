package io.github.t2i4j.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Set;

/** Named tensors that can be loaded one at a time: a safetensors file or a sharded checkpoint. */
public interface TensorSource extends AutoCloseable {

    /** Every tensor name, in file order. */
    Set<String> names();

    /** Header entry of one tensor; an error if the name is unknown. */
    TensorInfo info(String name);

    /** Loads one tensor in its own type (BF16 becomes F32) onto the manager's device. */
    NDArray load(String name, NDManager manager);

    /** Loads one tensor converted to {@code type}. */
    default NDArray load(String name, NDManager manager, DataType type) {
        NDArray a = load(name, manager);
        if (a.getDataType() == type) {
            return a;
        }
        NDArray b = a.toType(type, false);
        a.close();
        return b;
    }

    @Override
    void close();
}
