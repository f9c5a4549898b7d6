package io.github.t2i4j.core.io;

import ai.djl.ndarray.types.Shape;

/**
 * One entry of a safetensors header: dtype, shape and the byte range within the data section.
 *
 * @param name the tensor's name
 * @param dtype its element type in the file
 * @param shape its shape
 * @param begin first byte, relative to the start of the data section
 * @param end one past the last byte
 */
public record TensorInfo(String name, Dtype dtype, Shape shape, long begin, long end) {
    public long byteCount() {
        return end - begin;
    }
}
