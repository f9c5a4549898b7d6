package io.github.t2i4j.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes named tensors to a safetensors file laid out byte for byte as the Python {@code
 * safetensors} library ({@code safetensors.torch.save_file}) lays it out: an 8-byte little-endian
 * header length, a compact JSON header ({@code __metadata__} first, then one {@code
 * {"dtype","shape","data_offsets"}} entry per tensor) padded with spaces to a multiple of 8, and
 * the tensors back to back, ordered as the reference orders them (larger dtypes first, then by
 * name) with {@code data_offsets} relative to the data section. Metadata keys are written sorted.
 *
 * <p>Floating-point NDArrays can be converted on write ({@link #floatType(Dtype)}, e.g. F32
 * parameters stored as F16); integer and boolean tensors keep their type. Raw buffers are
 * written as given.
 *
 * <p>Writing is atomic: the file is written under a temporary name in the target folder,
 * flushed to disk, then renamed over the target, so a failure leaves any previous file intact
 * and no temporary file behind. Tensors are streamed one at a time; the writer holds references
 * to the NDArrays added (it does not close them), so they must stay open until {@link #write}.
 */
public final class SafetensorsWriter {
    private static final Logger LOG = LoggerFactory.getLogger(SafetensorsWriter.class);

    /** The reference implementation's dtype order (its enum order); larger sorts first. */
    private static final List<Dtype> REFERENCE_ORDER =
            List.of(
                    Dtype.BOOL, Dtype.U8, Dtype.I8, Dtype.F16, Dtype.BF16, Dtype.I32, Dtype.F32,
                    Dtype.F64, Dtype.I64);

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Map<String, Dtype> storeAs = new LinkedHashMap<>();
    private Map<String, String> metadata;
    private Dtype floatType;

    /** One tensor to write: its header fields and where its bytes come from. */
    private static final class Entry {
        final String name;
        final Dtype dtype;
        final long[] shape;
        final long byteCount;
        final NDArray array;
        final ByteBuffer raw;

        Entry(String name, Dtype dtype, long[] shape, NDArray array, ByteBuffer raw) {
            this.name = name;
            this.dtype = dtype;
            this.shape = shape;
            long numel = 1;
            for (long d : shape) {
                numel = Math.multiplyExact(numel, d);
            }
            this.byteCount = Math.multiplyExact(numel, (long) dtype.bytes());
            this.array = array;
            this.raw = raw;
        }

        /** This entry with its dtype resolved against the writer's float type. */
        Entry resolve(Dtype storeAs, Dtype floatType) {
            if (array == null || !isFloat(dtype)) {
                return this;
            }
            Dtype target = storeAs != null ? storeAs : floatType;
            return target == null || target == dtype
                    ? this
                    : new Entry(name, target, shape, array, null);
        }
    }

    public SafetensorsWriter() {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("big-endian platforms are not supported");
        }
    }

    /**
     * Stores every floating-point NDArray (F64, F32, F16) as {@code type} (F64, F32, F16 or
     * BF16) unless it was added with its own {@code storeAs}; {@code null} keeps each array's own
     * type.
     */
    public SafetensorsWriter floatType(Dtype type) {
        this.floatType = checkFloat(type);
        return this;
    }

    /** Adds one {@code __metadata__} entry (creating the map if absent). */
    public SafetensorsWriter metadata(String key, String value) {
        if (key == null || value == null) {
            throw new IllegalArgumentException("metadata keys and values must not be null");
        }
        if (metadata == null) {
            metadata = new TreeMap<>();
        }
        metadata.put(key, value);
        return this;
    }

    /**
     * Replaces the {@code __metadata__} map: {@code null} writes no {@code __metadata__} entry,
     * an empty map writes {@code "__metadata__":{}} (as Python does for {@code metadata={}}).
     */
    public SafetensorsWriter metadata(Map<String, String> map) {
        if (map == null) {
            metadata = null;
            return this;
        }
        metadata = new TreeMap<>();
        map.forEach(this::metadata);
        return this;
    }

    /** Adds an NDArray, stored as the {@link #floatType(Dtype) float type} if it is a float. */
    public SafetensorsWriter add(String name, NDArray array) {
        return add(name, array, null);
    }

    /**
     * Adds an NDArray; a floating-point array is stored as {@code storeAs} if not {@code null},
     * else as the writer's float type, else in its own type. Its shape and type are taken now,
     * its data when the file is written.
     */
    public SafetensorsWriter add(String name, NDArray array, Dtype storeAs) {
        checkName(name);
        checkFloat(storeAs);
        Dtype own;
        try {
            own = Dtype.of(array.getDataType());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "tensor '" + name + "' has type " + array.getDataType()
                            + ", which safetensors cannot store", e);
        }
        entries.put(name, new Entry(name, own, array.getShape().getShape(), array, null));
        if (storeAs != null) {
            this.storeAs.put(name, storeAs);
        }
        return this;
    }

    /**
     * Adds raw little-endian bytes of the given dtype and shape, written as they are; the
     * buffer's remaining bytes must be exactly the tensor's size. The buffer is read at write
     * time without changing its position.
     */
    public SafetensorsWriter add(String name, Dtype dtype, long[] shape, ByteBuffer data) {
        checkName(name);
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(
                        "tensor '" + name + "' has negative dimension in " + Arrays.toString(shape));
            }
        }
        Entry e = new Entry(name, dtype, shape.clone(), null, data.slice());
        if (e.byteCount != data.remaining()) {
            throw new IllegalArgumentException(
                    "tensor '" + name + "' of shape " + Arrays.toString(shape) + " and dtype "
                            + dtype + " needs " + e.byteCount + " bytes but the buffer holds "
                            + data.remaining());
        }
        entries.put(name, e);
        return this;
    }

    private void checkName(String name) {
        if (name == null || "__metadata__".equals(name)) {
            throw new IllegalArgumentException("invalid tensor name: " + name);
        }
        if (entries.containsKey(name)) {
            throw new IllegalArgumentException("duplicate tensor name: " + name);
        }
    }

    private static boolean isFloat(Dtype d) {
        return d == Dtype.F64 || d == Dtype.F32 || d == Dtype.F16 || d == Dtype.BF16;
    }

    private static Dtype checkFloat(Dtype d) {
        if (d != null && !isFloat(d)) {
            throw new IllegalArgumentException(
                    "floating-point tensors can be stored as F64, F32, F16 or BF16, not " + d);
        }
        return d;
    }

    /** The tensors in the order the reference writes them: larger dtype first, then by name. */
    private List<Entry> ordered() {
        List<Entry> list = new ArrayList<>();
        for (Entry e : entries.values()) {
            list.add(e.resolve(storeAs.get(e.name), floatType));
        }
        Comparator<Entry> byDtype =
                Comparator.comparingInt((Entry e) -> REFERENCE_ORDER.indexOf(e.dtype)).reversed();
        list.sort(byDtype.thenComparing((a, b) -> compareUtf8(a.name, b.name)));
        return list;
    }

    /** Rust orders strings by their UTF-8 bytes, which differs from Java's UTF-16 order. */
    private static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(
                a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /** The header as written: JSON padded with spaces to a multiple of 8 bytes. */
    byte[] header() {
        return header(ordered());
    }

    private byte[] header(List<Entry> ordered) {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        if (metadata != null) {
            sb.append("\"__metadata__\":{");
            boolean firstMeta = true;
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                if (!firstMeta) {
                    sb.append(',');
                }
                firstMeta = false;
                jsonString(sb, m.getKey()).append(':');
                jsonString(sb, m.getValue());
            }
            sb.append('}');
            first = false;
        }
        long offset = 0;
        for (Entry e : ordered) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            jsonString(sb, e.name).append(":{\"dtype\":\"").append(e.dtype.name()).append("\",\"shape\":[");
            for (int i = 0; i < e.shape.length; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(e.shape[i]);
            }
            sb.append("],\"data_offsets\":[").append(offset).append(',');
            offset += e.byteCount;
            sb.append(offset).append("]}");
        }
        sb.append('}');
        byte[] json = sb.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    /** A JSON string escaped exactly as serde_json escapes it. */
    private static StringBuilder jsonString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\b':
                    sb.append("\\b");
                    break;
                case '\f':
                    sb.append("\\f");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"');
    }

    /** Writes the file atomically (see the class comment). */
    public void write(Path path) {
        Path target = path.toAbsolutePath();
        Path dir = target.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new CheckpointException("cannot write " + path + ": folder " + dir + " does not exist");
        }
        if (Files.isDirectory(target)) {
            throw new CheckpointException("cannot write " + path + ": it is a folder");
        }
        List<Entry> ordered = ordered();
        byte[] header = header(ordered);
        Path tmp = null;
        boolean done = false;
        try {
            tmp = createTemp(dir, target.getFileName().toString());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                len.putLong(header.length).flip();
                writeFully(ch, len);
                writeFully(ch, ByteBuffer.wrap(header));
                for (Entry e : ordered) {
                    long before = ch.position();
                    writeFully(ch, data(e));
                    if (ch.position() - before != e.byteCount) {
                        throw new IllegalStateException(
                                "tensor '" + e.name + "' produced " + (ch.position() - before)
                                        + " bytes instead of " + e.byteCount
                                        + " (was it changed after it was added?)");
                    }
                }
                ch.force(true);
            }
            move(tmp, target);
            done = true;
            syncFolder(dir);
            LOG.debug("wrote {} tensors to {}", ordered.size(), target);
        } catch (IOException e) {
            throw new CheckpointException("cannot write safetensors file " + path + ": " + e, e);
        } catch (RuntimeException e) {
            throw new CheckpointException(
                    "cannot write safetensors file " + path + ": " + e.getMessage(), e);
        } finally {
            if (!done && tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    LOG.warn("could not remove temporary file {}", tmp);
                }
            }
        }
    }

    /** A new file next to the target, created with the default permissions. */
    private static Path createTemp(Path dir, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path tmp =
                    dir.resolve(
                            "." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong())
                                    + ".tmp");
            try {
                Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)
                        .close();
                return tmp;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt > 10) {
                    throw e;
                }
            }
        }
    }

    private static void move(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            LOG.warn("{} does not support atomic renames; replacing {} non-atomically", target.getParent(), target);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes the rename itself durable where the platform allows opening a folder. */
    private static void syncFolder(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | RuntimeException ignored) {
            // not possible on every platform (e.g. Windows); the file itself was synced
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /** The bytes of one tensor in its stored type. */
    private static ByteBuffer data(Entry e) {
        if (e.raw != null) {
            return e.raw.duplicate();
        }
        NDArray a = e.array;
        if (!a.getShape().equals(new Shape(e.shape))) {
            throw new IllegalStateException(
                    "tensor '" + e.name + "' changed shape since it was added");
        }
        Dtype own = Dtype.of(a.getDataType());
        if (e.dtype == own) {
            return a.toByteBuffer();
        }
        if (e.dtype == Dtype.BF16) {
            if (own == Dtype.F32) {
                return toBf16(a.toByteBuffer());
            }
            try (NDArray f = a.toType(DataType.FLOAT32, false)) {
                return toBf16(f.toByteBuffer());
            }
        }
        try (NDArray c = a.toType(e.dtype.dataType(), false)) {
            return c.toByteBuffer();
        }
    }

    /** float32 to bfloat16 with round-to-nearest-even, NaN kept quiet, as PyTorch converts. */
    private static ByteBuffer toBf16(ByteBuffer f32) {
        FloatBuffer src = f32.order(ByteOrder.nativeOrder()).asFloatBuffer();
        int n = src.remaining();
        ByteBuffer out = ByteBuffer.allocate(n * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            out.putShort(2 * i, bf16(src.get(i)));
        }
        return out;
    }

    static short bf16(float f) {
        if (Float.isNaN(f)) {
            return (short) 0x7FC0;
        }
        int bits = Float.floatToRawIntBits(f);
        int bias = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + bias) >>> 16);
    }

    /** Writes named NDArrays in their own types, with no metadata. */
    public static void save(Map<String, NDArray> tensors, Path path) {
        save(tensors, path, null, null);
    }

    /**
     * Writes named NDArrays with {@code metadata} (may be {@code null}), storing floating-point
     * arrays as {@code floatType} (or in their own type if {@code null}).
     */
    public static void save(
            Map<String, NDArray> tensors, Path path, Map<String, String> metadata, Dtype floatType) {
        SafetensorsWriter w = new SafetensorsWriter().floatType(floatType).metadata(metadata);
        tensors.forEach(w::add);
        w.write(path);
    }
}
