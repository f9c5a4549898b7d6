package io.github.t2i4j.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Hand-crafted safetensors bytes for tests. */
final class Bytes {
    private Bytes() {}

    /** 8-byte little-endian length, the header as given (no padding), then {@code dataLen} bytes. */
    static byte[] file(long headerLen, byte[] header, int dataLen) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataLen).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLen).put(header);
        for (int i = 0; i < dataLen; i++) {
            b.put((byte) i);
        }
        return b.array();
    }

    /** A well-formed length prefix for {@code json}, followed by {@code dataLen} bytes of data. */
    static byte[] file(String json, int dataLen) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        return file(h.length, h, dataLen);
    }

    static Path write(Path dir, String name, byte[] content) {
        try {
            return Files.write(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ByteBuffer le(int capacity) {
        return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }
}
