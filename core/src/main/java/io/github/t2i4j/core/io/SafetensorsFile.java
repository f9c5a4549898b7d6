package io.github.t2i4j.core.io;

import io.github.t2i4j.core.tensor.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A safetensors file, read lazily: the header is parsed and validated when the file is opened,
 * and each tensor is read from disk only when it is loaded, so files larger than 2 GiB (SDXL
 * UNets) work and memory holds one tensor at a time beyond the model itself.
 *
 * <p>The header is checked as strictly as the reference (Rust) implementation checks it: an
 * 8-byte little-endian length of at most 100,000,000 bytes, a UTF-8 JSON object with no
 * duplicate keys, string-valued {@code __metadata__}, entries with a known dtype, a shape of
 * non-negative integers whose element count matches the byte range, and byte ranges that tile
 * the data section exactly (no overlap, no gap, no trailing bytes). Every fault is a {@link
 * CheckpointException} naming the file and what is wrong; nothing is allocated from untrusted
 * sizes before they are validated.
 *
 * <p>Loaded arrays are copies in memory PyTorch owns: they stay valid after the file is closed
 * and do not count against the JVM's direct-memory limit. Loading from several threads at once is
 * safe (reads are positional).
 */
public final class SafetensorsFile implements TensorSource {

    /** Headers beyond this size are refused as corrupt, as the reference implementation does. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    /** Valid safetensors dtypes that t2i4j does not read, so the error can say so. */
    private static final Set<String> UNSUPPORTED_DTYPES =
            Set.of(
                    "F4", "F6_E2M3", "F6_E3M2", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F8_E4M3FNUZ",
                    "F8_E5M2FNUZ", "I16", "U16", "U32", "U64", "C64");

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
            if (headerLen < 0 || headerLen > MAX_HEADER_BYTES) {
                throw bad(
                        path,
                        "header length "
                                + Long.toUnsignedString(headerLen)
                                + " exceeds the limit of "
                                + MAX_HEADER_BYTES
                                + " bytes (not a safetensors file, or corrupt)");
            }
            if (headerLen > size - 8) {
                throw bad(
                        path,
                        "truncated: the header claims "
                                + headerLen
                                + " bytes but the file has only "
                                + (size - 8)
                                + " after the length");
            }
            if (headerLen < 2) {
                throw bad(path, "header length " + headerLen + " cannot hold a JSON object");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8);
            String json;
            try {
                json =
                        StandardCharsets.UTF_8
                                .newDecoder()
                                .onMalformedInput(CodingErrorAction.REPORT)
                                .onUnmappableCharacter(CodingErrorAction.REPORT)
                                .decode(hb.flip())
                                .toString();
            } catch (CharacterCodingException e) {
                throw bad(path, "header is not valid UTF-8");
            }
            long dataStart = 8 + headerLen;
            long dataSize = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            parseHeader(path, json, metadata, tensors);
            checkLayout(path, tensors, dataSize);
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

    /** Streams the header JSON strictly, rejecting duplicate keys (which JSON leaves undefined). */
    private static void parseHeader(
            Path path, String json, Map<String, String> metadata, Map<String, TensorInfo> tensors) {
        JsonReader r = new JsonReader(new StringReader(json));
        r.setStrictness(Strictness.STRICT);
        try {
            JsonToken first = r.peek();
            if (first != JsonToken.BEGIN_OBJECT) {
                throw bad(path, "header is " + describe(first) + ", not a JSON object");
            }
            r.beginObject();
            boolean sawMetadata = false;
            while (r.hasNext()) {
                String key = r.nextName();
                if ("__metadata__".equals(key)) {
                    if (sawMetadata) {
                        throw bad(path, "duplicate key '__metadata__' in the header");
                    }
                    sawMetadata = true;
                    readMetadata(path, r, metadata);
                } else {
                    if (tensors.containsKey(key)) {
                        throw bad(path, "duplicate tensor name '" + key + "' in the header");
                    }
                    tensors.put(key, readEntry(path, r, key));
                }
            }
            r.endObject();
            if (r.peek() != JsonToken.END_DOCUMENT) {
                throw bad(path, "header has content after its JSON object");
            }
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw bad(path, "header is not valid JSON: " + jsonMessage(e));
        }
    }

    private static void readMetadata(Path path, JsonReader r, Map<String, String> metadata)
            throws IOException {
        JsonToken t = r.peek();
        if (t == JsonToken.NULL) {
            r.nextNull();
            return;
        }
        if (t != JsonToken.BEGIN_OBJECT) {
            throw bad(path, "__metadata__ is " + describe(t) + ", not an object of strings");
        }
        r.beginObject();
        while (r.hasNext()) {
            String key = r.nextName();
            JsonToken v = r.peek();
            if (v != JsonToken.STRING) {
                throw bad(
                        path,
                        "__metadata__ value of '" + key + "' is " + describe(v) + ", not a string");
            }
            if (metadata.put(key, r.nextString()) != null) {
                throw bad(path, "duplicate __metadata__ key '" + key + "'");
            }
        }
        r.endObject();
    }

    private static TensorInfo readEntry(Path path, JsonReader r, String name) throws IOException {
        JsonToken t = r.peek();
        if (t != JsonToken.BEGIN_OBJECT) {
            throw bad(path, "entry of tensor '" + name + "' is " + describe(t) + ", not an object");
        }
        String dtypeName = null;
        long[] shape = null;
        long[] offsets = null;
        Set<String> seen = new HashSet<>();
        r.beginObject();
        while (r.hasNext()) {
            String key = r.nextName();
            if (!seen.add(key)) {
                throw bad(path, "tensor '" + name + "' has a duplicate key '" + key + "'");
            }
            switch (key) {
                case "dtype":
                    JsonToken d = r.peek();
                    if (d != JsonToken.STRING) {
                        throw bad(
                                path,
                                "dtype of tensor '" + name + "' is " + describe(d) + ", not a string");
                    }
                    dtypeName = r.nextString();
                    break;
                case "shape":
                    shape = readIntegers(path, r, name, key);
                    break;
                case "data_offsets":
                    offsets = readIntegers(path, r, name, key);
                    break;
                default:
                    r.skipValue(); // extra keys are ignored, as the reference implementation does
            }
        }
        r.endObject();
        List<String> missing = new ArrayList<>();
        if (dtypeName == null) {
            missing.add("dtype");
        }
        if (shape == null) {
            missing.add("shape");
        }
        if (offsets == null) {
            missing.add("data_offsets");
        }
        if (!missing.isEmpty()) {
            throw bad(path, "tensor '" + name + "' lacks " + String.join(", ", missing));
        }
        Dtype dtype = dtype(path, name, dtypeName);
        if (offsets.length != 2) {
            throw bad(
                    path,
                    "data_offsets of tensor '"
                            + name
                            + "' must be [begin, end] but has "
                            + offsets.length
                            + " entries");
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin) {
            throw bad(
                    path,
                    "data_offsets of tensor '" + name + "' end before they begin: [" + begin + ", "
                            + end + "]");
        }
        long expected;
        try {
            long numel = 1;
            for (long dim : shape) {
                numel = Math.multiplyExact(numel, dim);
            }
            expected = Math.multiplyExact(numel, (long) dtype.bytes());
        } catch (ArithmeticException e) {
            throw bad(
                    path,
                    "tensor '" + name + "' of shape " + Arrays.toString(shape)
                            + " has more bytes than a file can hold");
        }
        if (end - begin != expected) {
            throw bad(
                    path,
                    "tensor '"
                            + name
                            + "' of shape "
                            + Arrays.toString(shape)
                            + " and dtype "
                            + dtype
                            + " needs "
                            + expected
                            + " bytes but its data_offsets ["
                            + begin
                            + ", "
                            + end
                            + "] span "
                            + (end - begin));
        }
        return new TensorInfo(name, dtype, new Shape(shape), begin, end);
    }

    private static Dtype dtype(Path path, String name, String dtypeName) {
        for (Dtype d : Dtype.values()) {
            if (d.name().equals(dtypeName)) {
                return d;
            }
        }
        if (UNSUPPORTED_DTYPES.contains(dtypeName)) {
            throw bad(
                    path,
                    "tensor '"
                            + name
                            + "' has dtype "
                            + dtypeName
                            + ", which t2i4j does not read (supported: "
                            + Arrays.toString(Dtype.values())
                            + ")");
        }
        throw bad(path, "tensor '" + name + "' has unknown dtype '" + dtypeName + "'");
    }

    /** An array of non-negative integers, as the reference's {@code usize} fields demand. */
    private static long[] readIntegers(Path path, JsonReader r, String name, String field)
            throws IOException {
        JsonToken t = r.peek();
        if (t != JsonToken.BEGIN_ARRAY) {
            throw bad(path, field + " of tensor '" + name + "' is " + describe(t) + ", not an array");
        }
        long[] out = new long[8];
        int n = 0;
        r.beginArray();
        while (r.hasNext()) {
            JsonToken e = r.peek();
            if (e != JsonToken.NUMBER) {
                throw bad(
                        path,
                        field + " of tensor '" + name + "' holds " + describe(e) + ", not an integer");
            }
            String text = r.nextString();
            if (!isDigits(text)) {
                throw bad(
                        path,
                        field + " of tensor '" + name + "' holds " + text
                                + ", not a non-negative integer");
            }
            long v;
            try {
                v = Long.parseLong(text);
            } catch (NumberFormatException ex) {
                throw bad(path, field + " of tensor '" + name + "' holds " + text + ", too large");
            }
            if (n == out.length) {
                out = Arrays.copyOf(out, n * 2);
            }
            out[n++] = v;
        }
        r.endArray();
        return Arrays.copyOf(out, n);
    }

    private static boolean isDigits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * The byte ranges must tile the data section: a file that is shorter is truncated, and
     * overlaps, holes or trailing bytes mean the header does not describe the data.
     */
    private static void checkLayout(Path path, Map<String, TensorInfo> tensors, long dataSize) {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long lastEnd = 0;
        for (TensorInfo t : sorted) {
            lastEnd = Math.max(lastEnd, t.end());
        }
        if (lastEnd > dataSize) {
            TensorInfo last =
                    sorted.stream().max(Comparator.comparingLong(TensorInfo::end)).orElseThrow();
            throw bad(
                    path,
                    "truncated: tensor '"
                            + last.name()
                            + "' ends at byte "
                            + last.end()
                            + " of the data section, but the file holds only "
                            + dataSize
                            + " bytes of data");
        }
        long pos = 0;
        TensorInfo prev = null;
        for (TensorInfo t : sorted) {
            if (t.begin() < pos) {
                throw bad(
                        path,
                        "tensors '"
                                + prev.name()
                                + "' ["
                                + prev.begin()
                                + ", "
                                + prev.end()
                                + ") and '"
                                + t.name()
                                + "' ["
                                + t.begin()
                                + ", "
                                + t.end()
                                + ") overlap");
            }
            if (t.begin() > pos) {
                throw bad(
                        path,
                        "bytes ["
                                + pos
                                + ", "
                                + t.begin()
                                + ") of the data section belong to no tensor (before '"
                                + t.name()
                                + "')");
            }
            pos = t.end();
            prev = t;
        }
        if (pos != dataSize) {
            throw bad(
                    path,
                    (dataSize - pos)
                            + " bytes after the last tensor belong to no tensor (data section is "
                            + dataSize
                            + " bytes, tensors end at "
                            + pos
                            + ")");
        }
    }

    private static String describe(JsonToken t) {
        switch (t) {
            case BEGIN_ARRAY:
                return "an array";
            case BEGIN_OBJECT:
                return "an object";
            case STRING:
                return "a string";
            case NUMBER:
                return "a number";
            case BOOLEAN:
                return "a boolean";
            case NULL:
                return "null";
            case END_DOCUMENT:
                return "empty";
            default:
                return t.toString();
        }
    }

    private static String jsonMessage(Exception e) {
        String m = String.valueOf(e.getMessage());
        int see = m.indexOf("\nSee ");
        if (see >= 0) {
            m = m.substring(0, see);
        }
        // Gson's advice to parse leniently is not what a reader of a corrupt file needs
        return m.replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON", "syntax error");
    }

    private static CheckpointException bad(Path path, String what) {
        return new CheckpointException("malformed safetensors file " + path + ": " + what);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file at byte " + pos);
            }
            pos += n;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do: we are already reporting an error or closing
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

    /**
     * The raw little-endian bytes of one tensor, copied out of a memory mapping of just that
     * tensor's range into a new read-only direct buffer.
     */
    public ByteBuffer bytes(String name) {
        return read(info(name)).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    private ByteBuffer read(TensorInfo t) {
        if (t.byteCount() > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(
                    "tensor '" + t.name() + "' in " + path + " is " + t.byteCount()
                            + " bytes, over the 2 GiB a single Java buffer can hold");
        }
        ByteBuffer buf = ByteBuffer.allocateDirect((int) t.byteCount()).order(ByteOrder.LITTLE_ENDIAN);
        try {
            // map only this tensor's range (files may be far over 2 GiB) and copy it out on the
            // Java side: a file truncated under us then raises an error here instead of faulting
            // inside native code
            if (t.byteCount() > 0) {
                buf.put(channel.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin(), t.byteCount()));
            }
        } catch (InternalError e) {
            throw new CheckpointException(
                    "cannot read tensor '" + t.name() + "' of " + path + ": the file changed while it was read", e);
        } catch (ClosedChannelException e) {
            throw new CheckpointException("cannot read tensor '" + t.name() + "': " + path + " is closed", e);
        } catch (IOException e) {
            throw new CheckpointException(
                    "cannot read tensor '" + t.name() + "' of " + path + ": " + e.getMessage(), e);
        }
        return buf.flip();
    }

    /** Reads a tensor into a direct buffer in the layout DJL expects for its DJL type. */
    private ByteBuffer readForDjl(TensorInfo t) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN && t.dtype().bytes() > 1) {
            throw new CheckpointException("big-endian platforms are not supported");
        }
        ByteBuffer raw = read(t);
        if (t.dtype() != Dtype.BF16) {
            return raw.order(ByteOrder.nativeOrder());
        }
        // bf16 -> f32 is the 16 bits shifted into the high half of a float
        int n = (int) (t.byteCount() / 2);
        ShortBuffer src = raw.asShortBuffer();
        ByteBuffer dst = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder());
        IntBuffer out = dst.asIntBuffer();
        for (int i = 0; i < n; i++) {
            out.put(i, (src.get(i) & 0xFFFF) << 16);
        }
        return dst;
    }

    /** An array over a Java buffer, still backed by that buffer on the CPU. */
    private NDArray blob(String name, NDManager manager) {
        TensorInfo t = info(name);
        DataType type = t.dtype().dataType();
        return HostArrays.owned(manager.create(readForDjl(t), t.shape(), type));
    }

    /**
     * On the CPU, DJL keeps an array created from a direct buffer backed by that buffer, which
     * counts against the JVM's direct-memory limit for as long as the array lives; copy it into
     * memory PyTorch owns. On a GPU the data was already copied to the device.
     */
    private static NDArray owned(NDArray blob) {
        if (blob.getDevice().isGpu()) {
            return blob;
        }
        try (blob) {
            return blob.duplicate();
        }
    }

    @Override
    public NDArray load(String name, NDManager manager) {
        return owned(blob(name, manager));
    }

    @Override
    public NDArray load(String name, NDManager manager, DataType type) {
        NDArray a = blob(name, manager);
        if (a.getDataType() == type) {
            return owned(a);
        }
        try (a) {
            return a.toType(type, false);
        }
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
