package io.github.t2i4j.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.Golden;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {

    @TempDir Path dir;

    private static final String WEIRD = "weird\"name\\\u00e9\t\u0001";

    /** The tensors make_python_layout.py writes with the reference library. */
    private static SafetensorsWriter pythonDict(NDManager m) {
        ByteBuffer px = ByteBuffer.wrap(new byte[] {0, (byte) 255});
        return new SafetensorsWriter()
                .metadata("format", "pt")
                .add("w", m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2)))
                .add("b", m.create(new float[] {0.5f, -1f}).toType(DataType.FLOAT16, false))
                .add("step", m.create(7L))
                .add("ids", m.create(new int[] {1, -2, 3}))
                .add("mask", m.create(new boolean[] {true, false, true}))
                .add("q", m.create(new byte[] {-5, 5}))
                .add("px", m.create(px, new Shape(2), DataType.UINT8))
                .add("d", m.create(new double[] {3.25}))
                .add("h", m.create(new float[] {1f, -2f}), Dtype.BF16)
                .add("empty", m.create(new float[0], new Shape(0, 3)))
                .add(WEIRD, m.create(new float[] {-0f}));
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = SafetensorsWriterTest.class.getResourceAsStream(name)) {
            assertTrue(in != null, "missing test resource " + name);
            return in.readAllBytes();
        }
    }

    @Test
    void matchesThePythonLibraryByteForByte() throws Exception {
        byte[] expected = resource("python_layout.safetensors");
        Path p = dir.resolve("ours.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            // added in a different order than the file holds them: the writer sorts as Python does
            pythonDict(m).write(p);
        }
        assertArrayEquals(expected, Files.readAllBytes(p));
    }

    @Test
    void handComputedLayout() throws Exception {
        Path p = dir.resolve("small.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            new SafetensorsWriter()
                    .metadata("k", "v")
                    .add("b", m.create(new float[] {1f}))
                    .add("a", m.create(new int[] {2, -3}))
                    .write(p);
        }
        // F32 sorts before I32 (larger dtypes first), offsets relative to the data section;
        // 133 bytes of JSON padded with 3 spaces to 136 = 0x88
        String json =
                "{\"__metadata__\":{\"k\":\"v\"},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                        + "\"a\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        assertEquals(133, json.length());
        ByteBuffer expected = ByteBuffer.allocate(8 + 136 + 12);
        expected.put(new byte[] {(byte) 0x88, 0, 0, 0, 0, 0, 0, 0});
        expected.put(json.getBytes(StandardCharsets.US_ASCII)).put("   ".getBytes(StandardCharsets.US_ASCII));
        expected.put(new byte[] {0, 0, (byte) 0x80, 0x3F}); // 1.0f
        expected.put(new byte[] {2, 0, 0, 0}); // 2
        expected.put(new byte[] {(byte) 0xFD, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}); // -3
        assertArrayEquals(expected.array(), Files.readAllBytes(p));
    }

    @Test
    void headerIsPaddedToEightBytesForEveryLength() {
        for (int n = 1; n <= 16; n++) {
            SafetensorsWriter w = new SafetensorsWriter();
            w.add("x".repeat(n), Dtype.U8, new long[] {1}, ByteBuffer.wrap(new byte[] {1}));
            byte[] h = w.header();
            assertEquals(0, h.length % 8, "header of a " + n + "-character name");
            String s = new String(h, StandardCharsets.UTF_8);
            String json = s.stripTrailing();
            assertTrue(json.endsWith("}"), s);
            assertTrue(h.length - json.length() < 8, "at most 7 spaces of padding: " + s);
        }
    }

    @Test
    void roundTripsEveryDtype() {
        Path p = dir.resolve("all.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> in = new LinkedHashMap<>();
            in.put("f64", m.create(new double[] {Math.PI, -1e300, Double.MIN_VALUE, 0}, new Shape(2, 2)));
            in.put("f32", m.create(new float[] {1.1f, -2.5e-30f, Float.MAX_VALUE, Float.NaN, Float.NEGATIVE_INFINITY, -0f}, new Shape(3, 2)));
            in.put("f16", m.create(new float[] {1.5f, -65504f, 6.1035156e-5f}).toType(DataType.FLOAT16, false));
            in.put("i64", m.create(new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}));
            in.put("i32", m.create(new int[] {Integer.MIN_VALUE, -7, Integer.MAX_VALUE}, new Shape(3, 1)));
            in.put("i8", m.create(new byte[] {-128, 0, 127}));
            in.put("u8", m.create(ByteBuffer.wrap(new byte[] {0, 1, (byte) 200, (byte) 255}), new Shape(2, 2), DataType.UINT8));
            in.put("bool", m.create(new boolean[] {true, false, false, true}, new Shape(4)));
            in.put("scalar", m.create(42f));
            SafetensorsWriter.save(in, p, Map.of("note", "all dtypes"), null);
            // bf16: F32 values that bf16 holds exactly come back exactly
            Path pb = dir.resolve("bf16.safetensors");
            float[] bf = {1f, -2f, 3.140625f, 0f, -0f, Float.POSITIVE_INFINITY, 1.1754944e-38f, 3.3895314e38f};
            new SafetensorsWriter().add("bf16", m.create(bf), Dtype.BF16).write(pb);

            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                assertEquals(Map.of("note", "all dtypes"), f.metadata());
                assertEquals(in.keySet(), f.names().stream().collect(Collectors.toSet()));
                for (Map.Entry<String, NDArray> e : in.entrySet()) {
                    NDArray want = e.getValue();
                    NDArray got = f.load(e.getKey(), m);
                    assertEquals(want.getDataType(), got.getDataType(), e.getKey());
                    assertEquals(want.getShape(), got.getShape(), e.getKey());
                    assertEquals(Dtype.of(want.getDataType()), f.info(e.getKey()).dtype());
                    assertArrayEquals(want.toByteArray(), got.toByteArray(), e.getKey());
                }
            }
            try (SafetensorsFile f = SafetensorsFile.open(pb)) {
                assertEquals(Dtype.BF16, f.info("bf16").dtype());
                assertEquals(16, f.info("bf16").byteCount());
                assertArrayEquals(bf, f.load("bf16", m).toFloatArray());
            }
        }
    }

    @Test
    void rawBuffersAreWrittenAsGiven() {
        Path p = dir.resolve("raw.safetensors");
        ByteBuffer bf16 = Bytes.le(4).putShort((short) 0x3F80).putShort((short) 0xC000).flip();
        ByteBuffer f32 = Bytes.le(8).putFloat(0.1f).putFloat(7f).flip();
        new SafetensorsWriter()
                .floatType(Dtype.F16) // applies to NDArrays only
                .add("h", Dtype.BF16, new long[] {2, 1}, bf16)
                .add("f", Dtype.F32, new long[] {2}, f32)
                .write(p);
        assertEquals(0, bf16.position(), "the caller's buffer is left as it was");
        try (SafetensorsFile f = SafetensorsFile.open(p);
                NDManager m = NDManager.newBaseManager()) {
            assertEquals(new Shape(2, 1), f.info("h").shape());
            assertArrayEquals(new float[] {1f, -2f}, f.load("h", m).toFloatArray());
            assertEquals(Dtype.F32, f.info("f").dtype());
            assertArrayEquals(new float[] {0.1f, 7f}, f.load("f", m).toFloatArray());
        }
    }

    @Test
    void convertsFloatsOnWriteAndLeavesIntegersAlone() {
        Path p = dir.resolve("half.safetensors");
        float[] values = {0.1f, 1f / 3, -1234.567f, 1e-8f, 70000f};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(values);
            new SafetensorsWriter()
                    .floatType(Dtype.F16)
                    .add("w", w)
                    .add("d", m.create(new double[] {0.1}))
                    .add("ids", m.create(new long[] {1L << 40}))
                    .add("mask", m.create(new boolean[] {true}))
                    .add("keep", m.create(new float[] {0.1f}), Dtype.F32)
                    .add("up", m.create(new float[] {0.5f}).toType(DataType.FLOAT16, false), Dtype.F64)
                    .write(p);
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                assertEquals(Dtype.F16, f.info("w").dtype());
                assertEquals(Dtype.F16, f.info("d").dtype());
                assertEquals(Dtype.I64, f.info("ids").dtype());
                assertEquals(Dtype.BOOL, f.info("mask").dtype());
                assertEquals(Dtype.F32, f.info("keep").dtype());
                assertEquals(Dtype.F64, f.info("up").dtype());
                // rounded exactly as PyTorch rounds (70000 overflows to inf, 1e-8 underflows to 0)
                assertArrayEquals(
                        w.toType(DataType.FLOAT16, false).toByteArray(), f.load("w", m).toByteArray());
                float[] back = f.load("w", m, DataType.FLOAT32).toFloatArray();
                assertEquals(Float.POSITIVE_INFINITY, back[4]);
                assertEquals(0f, back[3]);
                assertEquals(0.1f, back[0], 1e-4f);
                assertEquals(1L << 40, f.load("ids", m).getLong());
                assertEquals(0.1f, f.load("keep", m).getFloat());
                assertEquals(0.5, f.load("up", m).getDouble());
            }
        }
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertEquals((short) 0x3F80, SafetensorsWriter.bf16(1f));
        // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: ties go to the even mantissa, 1
        assertEquals((short) 0x3F80, SafetensorsWriter.bf16(1f + 0x1p-8f));
        // 1 + 3 * 2^-8 lies halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even)
        assertEquals((short) 0x3F82, SafetensorsWriter.bf16(1f + 3 * 0x1p-8f));
        // just above the halfway point rounds up
        assertEquals((short) 0x3F81, SafetensorsWriter.bf16(Math.nextUp(1f + 0x1p-8f)));
        assertEquals((short) 0x7F80, SafetensorsWriter.bf16(Float.MAX_VALUE)); // rounds to inf
        assertEquals((short) 0x7FC0, SafetensorsWriter.bf16(Float.NaN));
        assertEquals((short) 0x8000, SafetensorsWriter.bf16(-0f));
    }

    @Test
    void metadataRoundTrips() {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("quote\"back\\slash", "line\nbreak\ttab \u0000 nul");
        meta.put("unicode", "\u00e9\u4e2d \ud83d\ude00");
        meta.put("json", "{\"a\": [1, 2]}");
        meta.put("", "");
        Path p = dir.resolve("meta.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            SafetensorsWriter.save(Map.of("x", m.create(1f)), p, meta, null);
        }
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertEquals(meta, f.metadata());
            assertEquals(List.of("x"), List.copyOf(f.names()));
        }
    }

    @Test
    void metadataAbsentOrEmptyIsWrittenAsPythonWritesIt() {
        SafetensorsWriter none = new SafetensorsWriter();
        assertEquals("{}      ", new String(none.header(), StandardCharsets.US_ASCII));
        SafetensorsWriter empty = new SafetensorsWriter().metadata(Map.of());
        assertEquals("{\"__metadata__\":{}}     ", new String(empty.header(), StandardCharsets.US_ASCII));
        // and an empty file is a valid file
        Path p = dir.resolve("empty.safetensors");
        none.write(p);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertTrue(f.names().isEmpty());
        }
    }

    @Test
    void failedWriteLeavesTheOldFileAndNoTemporaryFile() throws Exception {
        Path p = dir.resolve("model.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            new SafetensorsWriter().add("a", m.create(new float[] {1, 2})).write(p);
            byte[] before = Files.readAllBytes(p);

            NDArray gone = m.create(new float[] {3, 4});
            SafetensorsWriter w = new SafetensorsWriter().add("a", m.create(new float[] {5, 6})).add("b", gone);
            gone.close(); // fails while the tensors are being written
            CheckpointException e = assertThrows(CheckpointException.class, () -> w.write(p));
            assertTrue(e.getMessage().contains("cannot write safetensors file"), e::getMessage);

            assertArrayEquals(before, Files.readAllBytes(p));
            assertEquals(List.of(p), list(dir));

            // a failed first write leaves nothing at all
            Path q = dir.resolve("new.safetensors");
            assertThrows(CheckpointException.class, () -> w.write(q));
            assertFalse(Files.exists(q));
            assertEquals(List.of(p), list(dir));
        }
    }

    @Test
    void replacesAnExistingFile() throws Exception {
        Path p = dir.resolve("model.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            new SafetensorsWriter().add("a", m.create(new float[] {1, 2})).write(p);
            new SafetensorsWriter().add("b", m.create(new long[] {9})).write(p);
        }
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertEquals(List.of("b"), List.copyOf(f.names()));
        }
        assertEquals(List.of(p), list(dir));
    }

    @Test
    void refusesBadInput() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(1f);
            SafetensorsWriter w = new SafetensorsWriter().add("a", a);
            assertThrows(IllegalArgumentException.class, () -> w.add("a", a));
            assertThrows(IllegalArgumentException.class, () -> w.add("__metadata__", a));
            assertThrows(IllegalArgumentException.class, () -> w.add("i", a, Dtype.I32));
            assertThrows(IllegalArgumentException.class, () -> w.floatType(Dtype.U8));
            IllegalArgumentException size =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> w.add("r", Dtype.F32, new long[] {3}, ByteBuffer.allocate(8)));
            assertTrue(size.getMessage().contains("needs 12 bytes but the buffer holds 8"), size::getMessage);
            CheckpointException noDir =
                    assertThrows(
                            CheckpointException.class, () -> w.write(dir.resolve("nope").resolve("x.safetensors")));
            assertTrue(noDir.getMessage().contains("does not exist"), noDir::getMessage);
            assertThrows(CheckpointException.class, () -> w.write(dir));
        }
    }

    /** Rewriting a real checkpoint keeps every tensor's bytes. */
    @Test
    void rewritesAGoldenCheckpoint() {
        Path src = Golden.dir("unet_sd").resolve("weights.safetensors");
        Path p = dir.resolve("copy.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(src);
                NDManager m = NDManager.newBaseManager()) {
            SafetensorsWriter w = new SafetensorsWriter().metadata(f.metadata().isEmpty() ? null : f.metadata());
            for (String n : f.names()) {
                w.add(n, f.load(n, m));
            }
            w.write(p);
            try (SafetensorsFile g = SafetensorsFile.open(p)) {
                assertEquals(f.names().stream().sorted().collect(Collectors.toList()),
                        g.names().stream().sorted().collect(Collectors.toList()));
                for (String n : f.names()) {
                    assertEquals(f.info(n).dtype(), g.info(n).dtype(), n);
                    assertEquals(f.info(n).shape(), g.info(n).shape(), n);
                    assertEquals(f.bytes(n), g.bytes(n), n);
                }
            }
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().collect(Collectors.toList());
        }
    }
}
