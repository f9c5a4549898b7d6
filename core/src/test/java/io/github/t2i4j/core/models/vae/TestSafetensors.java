package io.github.t2i4j.core.models.vae;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.io.TensorInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/** Writes a copy of a safetensors file by hand (8-byte LE header length, JSON header, data). */
final class TestSafetensors {
    private TestSafetensors() {}

    /**
     * Copies {@code src} to {@code dst}, renaming each tensor with {@code rename} (null drops it)
     * and giving it the shape {@code reshape} returns (same element count), bytes unchanged.
     */
    static void copy(Path src, Path dst, UnaryOperator<String> rename, Function<TensorInfo, long[]> reshape)
            throws IOException {
        try (SafetensorsFile in = SafetensorsFile.open(src)) {
            JsonObject header = new JsonObject();
            long offset = 0;
            for (String name : in.names()) {
                String out = rename.apply(name);
                if (out == null) {
                    continue;
                }
                TensorInfo t = in.info(name);
                JsonObject e = new JsonObject();
                e.addProperty("dtype", t.dtype().name());
                JsonArray shape = new JsonArray();
                for (long d : reshape.apply(t)) {
                    shape.add(d);
                }
                e.add("shape", shape);
                JsonArray offs = new JsonArray();
                offs.add(offset);
                offs.add(offset + t.byteCount());
                e.add("data_offsets", offs);
                header.add(out, e);
                offset += t.byteCount();
            }
            byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
            try (OutputStream os = Files.newOutputStream(dst)) {
                os.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).array());
                os.write(json);
                for (String name : in.names()) {
                    if (rename.apply(name) == null) {
                        continue;
                    }
                    ByteBuffer b = in.bytes(name);
                    byte[] data = new byte[b.remaining()];
                    b.get(data);
                    os.write(data);
                }
            }
        }
    }
}
