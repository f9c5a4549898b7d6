package io.github.t2i4j.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A safetensors file, read lazily: the header is parsed and validated when the file is opened,
 * and each tensor is memory-mapped and copied out only when it is loaded, so files larger than
 * 2 GiB (SDXL UNets) work and memory holds one tensor at a time beyond the model itself.
 *
 * <p>Every structural fault (truncated file, absurd header length, bad JSON, unknown dtype,
 * shape that disagrees with the byte count, offsets outside the data or overlapping) is a
 * {@link CheckpointException} naming the file and what is wrong.
 */
public final class SafetensorsFile implements TensorSource {

    /** Headers beyond this size are refused as corrupt (real ones are a few hundred KiB). */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(
            Path path,
            FileChannel channel,
            long dataStart,
            Map<String, TensorInfo> tensors,
            Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Opens and validates a safetensors file. */
    public static SafetensorsFile open(Path path) {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new CheckpointException("cannot open safetensors file " + path + ": " + e, e);
        }
        try {
            return parse(path, ch);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    private static SafetensorsFile parse(Path path, FileChannel ch) {
        try {
            long size = ch.size();
            if (size < 8) {
                throw bad(path, "file is " + size + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES) {
                throw bad(path, "header length " + Long.toUnsignedString(headerLen) + " is absurd");
            }
            if (8 + headerLen > size) {
                throw bad(
                        path,
                        "truncated: header claims "
                                + headerLen
                                + " bytes but the file has only "
                                + (size - 8)
                                + " after the length");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8);
            String json = new String(hb.array(), StandardCharsets.UTF_8);
            JsonObject root;
            try {
                JsonElement el = JsonParser.parseString(json);
                if (!el.isJsonObject()) {
                    throw bad(path, "header is not a JSON object");
                }
                root = el.getAsJsonObject();
            } catch (JsonParseException e) {
                throw bad(path, "header is not valid JSON: " + e.getMessage());
            }
            long dataStart = 8 + headerLen;
            long dataSize = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : root.entrySet()) {
                if ("__metadata__".equals(e.getKey())) {
                    if (!e.getValue().isJsonObject()) {
                        throw bad(path, "__metadata__ is not an object of strings");
                    }
                    for (Map.Entry<String, JsonElement> m : e.getValue().getAsJsonObject().entrySet()) {
                        if (!m.getValue().isJsonPrimitive()) {
                            throw bad(path, "__metadata__ value of '" + m.getKey() + "' is not a string");
                        }
                        metadata.put(m.getKey(), m.getValue().getAsString());
                    }
                    continue;
                }
                tensors.put(e.getKey(), parseEntry(path, e.getKey(), e.getValue(), dataSize));
            }
            checkOverlaps(path, tensors);
            return new SafetensorsFile(
                    path,
                    ch,
                    dataStart,
                    Collections.unmodifiableMap(tensors),
                    Collections.unmodifiableMap(metadata));
        } catch (IOException e) {
            throw new CheckpointException("cannot read safetensors file " + path + ": " + e, e);
        }
    }

    private static TensorInfo parseEntry(Path path, String name, JsonElement el, long dataSize) {
        if (!el.isJsonObject()) {
            throw bad(path, "entry '" + name + "' is not an object");
        }
        JsonObject o = el.getAsJsonObject();
        if (!o.has("dtype") || !o.has("shape") || !o.has("data_offsets")) {
            throw bad(path, "entry '" + name + "' lacks dtype, shape or data_offsets");
        }
        Dtype dtype;
        try {
            dtype = Dtype.valueOf(o.get("dtype").getAsString());
        } catch (IllegalArgumentException | UnsupportedOperationException | IllegalStateException e) {
            throw bad(path, "tensor '" + name + "' has unknown dtype " + o.get("dtype"));
        }
        long[] shape;
        long[] offsets;
        try {
            shape = longs(o.get("shape"));
            offsets = longs(o.get("data_offsets"));
        } catch (RuntimeException e) {
            throw bad(path, "tensor '" + name + "' has a malformed shape or data_offsets");
        }
        long numel = 1;
        for (long d : shape) {
            if (d < 0) {
                throw bad(path, "tensor '" + name + "' has a negative dimension");
            }
            numel = Math.multiplyExact(numel, d);
        }
        if (offsets.length != 2) {
            throw bad(path, "tensor '" + name + "' data_offsets must have two entries");
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin < 0 || end < begin || end > dataSize) {
            throw bad(
                    path,
                    "tensor '"
                            + name
                            + "' offsets ["
                            + begin
                            + ", "
                            + end
                            + ") lie outside the data section of "
                            + dataSize
                            + " bytes");
        }
        long expected = Math.multiplyExact(numel, dtype.bytes());
        if (end - begin != expected) {
            throw bad(
                    path,
                    "tensor '"
                            + name
                            + "' of shape "
                            + java.util.Arrays.toString(shape)
                            + " and dtype "
                            + dtype
                            + " needs "
                            + expected
                            + " bytes but its offsets span "
                            + (end - begin));
        }
        return new TensorInfo(name, dtype, new Shape(shape), begin, end);
    }

    private static long[] longs(JsonElement el) {
        var arr = el.getAsJsonArray();
        long[] out = new long[arr.size()];
        for (int i = 0; i < out.length; i++) {
            var p = arr.get(i).getAsJsonPrimitive();
            if (!p.isNumber()) {
                throw new IllegalArgumentException("not a number");
            }
            out[i] = p.getAsBigDecimal().longValueExact();
        }
        return out;
    }

    private static void checkOverlaps(Path path, Map<String, TensorInfo> tensors) {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo a = sorted.get(i - 1);
            TensorInfo b = sorted.get(i);
            if (b.begin() < a.end()) {
                throw bad(path, "tensors '" + a.name() + "' and '" + b.name() + "' overlap");
            }
        }
    }

    private static CheckpointException bad(Path path, String what) {
        return new CheckpointException("malformed safetensors file " + path + ": " + what);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do: we are already reporting an error
        }
    }

    public Path path() {
        return path;
    }

    /** The {@code __metadata__} entry (empty if absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public Set<String> names() {
        return tensors.keySet();
    }

    @Override
    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new CheckpointException("no tensor '" + name + "' in " + path);
        }
        return t;
    }

    /** The raw little-endian bytes of one tensor, memory-mapped and read-only. */
    public ByteBuffer bytes(String name) {
        TensorInfo t = info(name);
        if (t.byteCount() > Integer.MAX_VALUE) {
            throw new CheckpointException(
                    "tensor '" + name + "' in " + path + " is over 2 GiB, which a single map cannot hold");
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin(), t.byteCount())
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new CheckpointException("cannot map tensor '" + name + "' of " + path + ": " + e, e);
        }
    }

    @Override
    public NDArray load(String name, NDManager manager) {
        TensorInfo t = info(name);
        ByteBuffer src = bytes(name);
        ByteBuffer dst;
        DataType type;
        if (t.dtype() == Dtype.BF16) {
            // bf16 -> f32 is the 16 bits shifted into the high half of a float
            int n = (int) (t.byteCount() / 2);
            dst = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder());
            for (int i = 0; i < n; i++) {
                dst.putInt((src.getShort(2 * i) & 0xFFFF) << 16);
            }
            dst.flip();
            type = DataType.FLOAT32;
        } else {
            // copy out of the mapping: PyTorch may write into a parameter in place later
            dst = ByteBuffer.allocateDirect((int) t.byteCount()).order(ByteOrder.nativeOrder());
            if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN || t.dtype().bytes() == 1) {
                dst.put(src);
            } else {
                throw new CheckpointException("big-endian platforms are not supported");
            }
            dst.flip();
            type = t.dtype().dataType();
        }
        return manager.create(dst, t.shape(), type);
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + tensors.size() + " tensors]";
    }
}
