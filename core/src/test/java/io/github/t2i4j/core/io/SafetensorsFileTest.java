package io.github.t2i4j.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SafetensorsFileTest {

    @TempDir Path dir;

    private static final String T8 = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    /** Opening {@code content} must fail with a CheckpointException naming the file and {@code expected}. */
    private CheckpointException assertMalformed(byte[] content, String expected) {
        Path p = Bytes.write(dir, "bad.safetensors", content);
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafetensorsFile.open(p).close());
        assertTrue(
                e.getMessage().contains(expected),
                () -> "message should contain '" + expected + "' but was: " + e.getMessage());
        assertTrue(e.getMessage().contains("bad.safetensors"), e::getMessage);
        return e;
    }

    private static String one(String entry) {
        return "{\"t\":" + entry + "}";
    }

    static Stream<Arguments> malformedHeaders() {
        return Stream.of(
                // not JSON, or JSON only a lenient parser accepts
                arguments("{\"t\":", 0, "not valid JSON"),
                arguments("{t:" + T8 + "}", 8, "not valid JSON"),
                arguments("{'t':" + T8 + "}", 8, "not valid JSON"),
                arguments("{/* c */}", 0, "not valid JSON"),
                arguments("{} {}", 0, "not valid JSON"),
                arguments("{}x", 0, "not valid JSON"),
                arguments("        ", 0, "not valid JSON"),
                arguments("{\"t\":{\"dtype\":\"F32\",\"shape\":[NaN],\"data_offsets\":[0,8]}}", 8, "not valid JSON"),
                // header not an object
                arguments("[]", 0, "header is an array, not a JSON object"),
                arguments("\"x\"", 0, "header is a string, not a JSON object"),
                arguments("null", 0, "header is null, not a JSON object"),
                arguments("42", 0, "header is a number, not a JSON object"),
                // entries
                arguments("{\"t\":5}", 0, "entry of tensor 't' is a number, not an object"),
                arguments("{\"t\":[]}", 0, "entry of tensor 't' is an array, not an object"),
                arguments("{\"t\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "tensor 't' lacks dtype"),
                arguments("{\"t\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8, "tensor 't' lacks shape"),
                arguments("{\"t\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, "tensor 't' lacks data_offsets"),
                arguments("{\"t\":{}}", 0, "tensor 't' lacks dtype, shape, data_offsets"),
                // dtype
                arguments(one(T8.replace("F32", "F17")), 8, "unknown dtype 'F17'"),
                arguments(one(T8.replace("F32", "f32")), 8, "unknown dtype 'f32'"),
                arguments(one(T8.replace("F32", "F8_E4M3")), 8, "dtype F8_E4M3, which t2i4j does not read"),
                arguments(one(T8.replace("\"F32\"", "4")), 8, "dtype of tensor 't' is a number, not a string"),
                arguments(one(T8.replace("\"F32\"", "null")), 8, "dtype of tensor 't' is null"),
                // shape
                arguments(one(T8.replace("[2]", "[\"2\"]")), 8, "shape of tensor 't' holds a string, not an integer"),
                arguments(one(T8.replace("[2]", "[2.0]")), 8, "shape of tensor 't' holds 2.0, not a non-negative integer"),
                arguments(one(T8.replace("[2]", "[2e0]")), 8, "holds 2e0, not a non-negative integer"),
                arguments(one(T8.replace("[2]", "[-2]")), 8, "holds -2, not a non-negative integer"),
                arguments(one(T8.replace("[2]", "[[2]]")), 8, "shape of tensor 't' holds an array"),
                arguments(one(T8.replace("[2]", "[true]")), 8, "holds a boolean"),
                arguments(one(T8.replace("[2]", "[null]")), 8, "holds null"),
                arguments(one(T8.replace("[2]", "2")), 8, "shape of tensor 't' is a number, not an array"),
                arguments(one(T8.replace("[2]", "{}")), 8, "shape of tensor 't' is an object, not an array"),
                arguments(one(T8.replace("[2]", "[99999999999999999999]")), 8, "holds 99999999999999999999, too large"),
                arguments(
                        one(T8.replace("[2]", "[4294967296,4294967296,4294967296]")),
                        8,
                        "has more bytes than a file can hold"),
                arguments(one(T8.replace("[2]", "[2305843009213693952]")), 8, "has more bytes than a file can hold"),
                arguments(one(T8.replace("[2]", "[3]")), 8, "needs 12 bytes but its data_offsets [0, 8] span 8"),
                arguments(one(T8.replace("[2]", "[2,2]")), 8, "shape [2, 2] and dtype F32 needs 16 bytes"),
                arguments(one(T8.replace("[2]", "[0]")), 8, "needs 0 bytes"),
                // offsets
                arguments(one(T8.replace("[0,8]", "[8,0]")), 8, "data_offsets of tensor 't' end before they begin: [8, 0]"),
                arguments(one(T8.replace("[0,8]", "[0]")), 8, "must be [begin, end] but has 1 entries"),
                arguments(one(T8.replace("[0,8]", "[0,8,16]")), 16, "must be [begin, end] but has 3 entries"),
                arguments(one(T8.replace("[0,8]", "[-8,0]")), 8, "data_offsets of tensor 't' holds -8"),
                arguments(one(T8.replace("[0,8]", "\"0-8\"")), 8, "data_offsets of tensor 't' is a string, not an array"),
                arguments(one(T8.replace("[0,8]", "[8,16]")), 8, "truncated: tensor 't' ends at byte 16 of the data section, but the file holds only 8"),
                arguments(one(T8.replace("[0,8]", "[8,16]")), 16, "bytes [0, 8) of the data section belong to no tensor"),
                arguments(one(T8), 12, "4 bytes after the last tensor belong to no tensor"),
                arguments(
                        "{\"a\":" + T8 + ",\"b\":" + T8.replace("[0,8]", "[4,12]") + "}",
                        12,
                        "tensors 'a' [0, 8) and 'b' [4, 12) overlap"),
                arguments("{\"a\":" + T8 + ",\"b\":" + T8 + "}", 8, "tensors 'a' [0, 8) and 'b' [0, 8) overlap"),
                arguments(
                        "{\"a\":" + T8 + ",\"z\":" + T8.replace("[2]", "[0]").replace("[0,8]", "[4,4]") + "}",
                        8,
                        "overlap"),
                // duplicate keys: refused, since JSON leaves their meaning open
                arguments("{\"t\":" + T8 + ",\"t\":" + T8 + "}", 8, "duplicate tensor name 't'"),
                arguments(
                        "{\"t\":{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                        8,
                        "tensor 't' has a duplicate key 'dtype'"),
                arguments(
                        "{\"__metadata__\":{},\"__metadata__\":{},\"t\":" + T8 + "}",
                        8,
                        "duplicate key '__metadata__'"),
                arguments(
                        "{\"__metadata__\":{\"k\":\"a\",\"k\":\"b\"},\"t\":" + T8 + "}",
                        8,
                        "duplicate __metadata__ key 'k'"),
                // metadata
                arguments("{\"__metadata__\":{\"k\":1},\"t\":" + T8 + "}", 8, "__metadata__ value of 'k' is a number, not a string"),
                arguments("{\"__metadata__\":{\"k\":true}}", 0, "__metadata__ value of 'k' is a boolean"),
                arguments("{\"__metadata__\":{\"k\":null}}", 0, "__metadata__ value of 'k' is null"),
                arguments("{\"__metadata__\":{\"k\":{\"x\":\"y\"}}}", 0, "__metadata__ value of 'k' is an object"),
                arguments("{\"__metadata__\":{\"k\":[\"y\"]}}", 0, "__metadata__ value of 'k' is an array"),
                arguments("{\"__metadata__\":[]}", 0, "__metadata__ is an array, not an object of strings"),
                arguments("{\"__metadata__\":\"pt\"}", 0, "__metadata__ is a string, not an object of strings"));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {2}")
    @MethodSource
    void malformedHeaders(String json, int dataLen, String expected) {
        assertMalformed(Bytes.file(json, dataLen), expected);
    }

    @Test
    void fileShorterThanTheLength() {
        assertMalformed(new byte[0], "file is 0 bytes, shorter than the 8-byte header length");
        assertMalformed(new byte[] {2, 0, 0, 0, 0}, "file is 5 bytes, shorter than the 8-byte header length");
    }

    @Test
    void headerLengthBeyondTheFile() {
        byte[] h = "{}".getBytes(StandardCharsets.US_ASCII);
        assertMalformed(Bytes.file(100, h, 0), "truncated: the header claims 100 bytes but the file has only 2");
        assertMalformed(Bytes.file(3, h, 0), "truncated: the header claims 3 bytes but the file has only 2");
    }

    @Test
    void absurdHeaderLengths() {
        byte[] h = "{}".getBytes(StandardCharsets.US_ASCII);
        assertMalformed(Bytes.file(1L << 60, h, 0), "header length 1152921504606846976 exceeds the limit");
        // negative when read as a signed long: reported as the unsigned value it is
        assertMalformed(Bytes.file(-1L, h, 0), "header length 18446744073709551615 exceeds the limit");
        assertMalformed(Bytes.file(Long.MIN_VALUE, h, 0), "header length 9223372036854775808 exceeds");
        assertMalformed(Bytes.file(100_000_001L, h, 0), "header length 100000001 exceeds the limit of 100000000");
        assertMalformed(Bytes.file(0, h, 0), "header length 0 cannot hold a JSON object");
        assertMalformed(Bytes.file(1, h, 0), "header length 1 cannot hold a JSON object");
    }

    @Test
    void headerNotUtf8() {
        byte[] h = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
        assertMalformed(Bytes.file(h.length, h, 0), "header is not valid UTF-8");
    }

    @Test
    void dataSectionShorterThanTheOffsets() {
        // a download cut short: the header promises 24 bytes, 10 arrived
        String json =
                "{\"a\":"
                        + T8
                        + ",\"b\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[8,24]}}";
        assertMalformed(
                Bytes.file(json, 10),
                "truncated: tensor 'b' ends at byte 24 of the data section, but the file holds only 10 bytes of data");
    }

    @Test
    void acceptsWhatTheReferenceAccepts() throws Exception {
        // null metadata, extra entry keys, a scalar, an empty tensor, space padding, non-ASCII names
        String json =
                "{\"__metadata__\":null,"
                        + "\"s\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8],\"extra\":[{\"x\":1}]},"
                        + "\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[8,8]},"
                        + "\"\u00e9\\u00e8\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[8,10]}}   ";
        Path p = Bytes.write(dir, "ok.safetensors", Bytes.file(json, 10));
        try (SafetensorsFile f = SafetensorsFile.open(p);
                NDManager m = NDManager.newBaseManager()) {
            assertEquals(List.of("s", "e", "\u00e9\u00e8"), List.copyOf(f.names()));
            assertEquals(Map.of(), f.metadata());
            NDArray s = f.load("s", m);
            assertEquals(new Shape(), s.getShape());
            assertEquals(DataType.INT64, s.getDataType());
            // bytes 0..7 little-endian
            assertEquals(0x0706050403020100L, s.getLong());
            NDArray e = f.load("e", m);
            assertEquals(new Shape(0, 3), e.getShape());
            assertArrayEquals(new byte[] {8, 9}, f.load("\u00e9\u00e8", m).toByteArray());
        }
    }

    @Test
    void unknownNameAndClosedFile() {
        Path p = Bytes.write(dir, "ok.safetensors", Bytes.file("{\"t\":" + T8 + "}", 8));
        SafetensorsFile f = SafetensorsFile.open(p);
        CheckpointException unknown = assertThrows(CheckpointException.class, () -> f.info("u"));
        assertTrue(unknown.getMessage().contains("no tensor 'u'"), unknown::getMessage);
        f.close();
        try (NDManager m = NDManager.newBaseManager()) {
            CheckpointException closed = assertThrows(CheckpointException.class, () -> f.load("t", m));
            assertTrue(closed.getMessage().contains("is closed"), closed::getMessage);
        }
    }

    @Test
    void bytesAreALittleEndianReadOnlyCopy() {
        Path p = Bytes.write(dir, "ok.safetensors", Bytes.file("{\"t\":" + T8 + "}", 8));
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            ByteBuffer b = f.bytes("t");
            assertTrue(b.isReadOnly());
            assertEquals(8, b.remaining());
            assertEquals(0x03020100, b.getInt(0));
        }
    }

    @Test
    void loadedArraysDoNotDependOnTheFile() {
        Path p = Bytes.write(dir, "ok.safetensors", Bytes.file("{\"t\":" + T8 + "}", 8));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a;
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                a = f.load("t", m);
            }
            // writable, and still valid once the file is closed
            a.addi(0f);
            assertEquals(8, a.toByteArray().length);
            assertEquals(0x03020100, ByteBuffer.wrap(a.toByteArray()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());
        }
    }

    /**
     * A tensor that lies beyond the 2 GiB mark of a sparse file: offsets and file positions must
     * be longs all the way through. The sparse hole takes no disk space.
     */
    @Test
    void readsTensorsBeyondTwoGibibytes() throws Exception {
        long pad = (1L << 31) + 8;
        String json =
                "{\"pad\":{\"dtype\":\"U8\",\"shape\":["
                        + pad
                        + "],\"data_offsets\":[0,"
                        + pad
                        + "]},\"x\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":["
                        + pad
                        + ","
                        + (pad + 16)
                        + "]}}";
        while (json.length() % 8 != 0) {
            json += " ";
        }
        byte[] h = json.getBytes(StandardCharsets.US_ASCII);
        Path p = dir.resolve("big.safetensors");
        try {
            try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
                raf.write(Bytes.le(8).putLong(h.length).array());
                raf.write(h);
                raf.setLength(8 + h.length + pad + 16);
                raf.seek(8 + h.length + pad);
                ByteBuffer x = Bytes.le(16);
                x.putFloat(1.5f).putFloat(-2f).putFloat(3.25f).putFloat(1e-3f);
                raf.write(x.array());
            }
            try (SafetensorsFile f = SafetensorsFile.open(p);
                    NDManager m = NDManager.newBaseManager()) {
                assertEquals(pad, f.info("pad").byteCount());
                NDArray x = f.load("x", m);
                assertEquals(new Shape(2, 2), x.getShape());
                assertArrayEquals(new float[] {1.5f, -2f, 3.25f, 1e-3f}, x.toFloatArray());
                // a single tensor over 2 GiB is refused cleanly rather than overflowing an int
                CheckpointException e = assertThrows(CheckpointException.class, () -> f.load("pad", m));
                assertTrue(e.getMessage().contains("over the 2 GiB"), e::getMessage);
            }
        } finally {
            java.nio.file.Files.deleteIfExists(p);
        }
    }

    /** The stricter layout rules accept every file the reference library wrote. */
    @Test
    void readsEveryGoldenFile() throws Exception {
        List<Path> files;
        try (Stream<Path> s = java.nio.file.Files.walk(io.github.t2i4j.core.Golden.root())) {
            files = s.filter(f -> f.toString().endsWith(".safetensors")).sorted().collect(java.util.stream.Collectors.toList());
        }
        assertTrue(files.size() >= 7, "golden files found: " + files);
        try (NDManager m = NDManager.newBaseManager()) {
            for (Path p : files) {
                try (SafetensorsFile f = SafetensorsFile.open(p)) {
                    assertTrue(!f.names().isEmpty(), p.toString());
                    for (String n : f.names()) {
                        try (NDArray a = f.load(n, m, DataType.FLOAT32)) {
                            assertEquals(f.info(n).shape(), a.getShape(), p + " " + n);
                        }
                    }
                }
            }
        }
    }

    @Test
    void bf16IsReadAsFloat32() {
        // 1.0, -2.0, 3.140625 (0x4049), -inf, NaN
        short[] bits = {0x3F80, (short) 0xC000, 0x4049, (short) 0xFF80, 0x7FC0};
        ByteBuffer data = Bytes.le(10);
        for (short s : bits) {
            data.putShort(s);
        }
        String json = "{\"h\":{\"dtype\":\"BF16\",\"shape\":[5],\"data_offsets\":[0,10]}}";
        byte[] h = json.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer file = Bytes.le(8 + h.length + 10).putLong(h.length).put(h).put(data.array());
        Path p = Bytes.write(dir, "bf16.safetensors", file.array());
        try (SafetensorsFile f = SafetensorsFile.open(p);
                NDManager m = NDManager.newBaseManager()) {
            assertEquals(Dtype.BF16, f.info("h").dtype());
            NDArray a = f.load("h", m);
            assertEquals(DataType.FLOAT32, a.getDataType());
            float[] v = a.toFloatArray();
            assertEquals(1f, v[0]);
            assertEquals(-2f, v[1]);
            assertEquals(3.140625f, v[2]);
            assertEquals(Float.NEGATIVE_INFINITY, v[3]);
            assertTrue(Float.isNaN(v[4]));
            NDArray half = f.load("h", m, DataType.FLOAT16);
            assertEquals(DataType.FLOAT16, half.getDataType());
            assertEquals(-2f, half.toType(DataType.FLOAT32, false).toFloatArray()[1]);
        }
    }
}
