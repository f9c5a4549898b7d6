package io.github.t2i4j.core.io;

import ai.djl.ndarray.types.DataType;

/** The safetensors element types t2i4j reads and writes, with their DJL counterparts. */
public enum Dtype {
    F64(8, DataType.FLOAT64),
    F32(4, DataType.FLOAT32),
    F16(2, DataType.FLOAT16),
    /** Read as F32: DJL's PyTorch engine aborts on bfloat16 tensors. */
    BF16(2, DataType.FLOAT32),
    I64(8, DataType.INT64),
    I32(4, DataType.INT32),
    I8(1, DataType.INT8),
    U8(1, DataType.UINT8),
    BOOL(1, DataType.BOOLEAN);

    private final int bytes;
    private final DataType djl;

    Dtype(int bytes, DataType djl) {
        this.bytes = bytes;
        this.djl = djl;
    }

    /** Bytes per element in the file. */
    public int bytes() {
        return bytes;
    }

    /** The DJL type the tensor has once loaded. */
    public DataType dataType() {
        return djl;
    }

    /** The safetensors dtype for a DJL type (BF16 is never produced). */
    public static Dtype of(DataType type) {
        switch (type) {
            case FLOAT64:
                return F64;
            case FLOAT32:
                return F32;
            case FLOAT16:
                return F16;
            case INT64:
                return I64;
            case INT32:
                return I32;
            case INT8:
                return I8;
            case UINT8:
                return U8;
            case BOOLEAN:
                return BOOL;
            default:
                throw new IllegalArgumentException("no safetensors dtype for " + type);
        }
    }
}
