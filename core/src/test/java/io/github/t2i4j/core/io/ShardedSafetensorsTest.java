package io.github.t2i4j.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardedSafetensorsTest {

    static final String S1 = "model-00001-of-00002.safetensors";
    static final String S2 = "model-00002-of-00002.safetensors";

    @TempDir Path dir;

    /** Two shards: a, b in the first; c in the second. */
    @BeforeEach
    void shards() {
        writeShards(dir);
    }

    static void writeShards(Path dir) {
        try (NDManager m = NDManager.newBaseManager()) {
            new SafetensorsWriter()
                    .metadata("format", "pt")
                    .add("a", m.create(new float[] {1, 2}))
                    .add("b", m.create(new float[] {3}))
                    .write(dir.resolve(S1));
            new SafetensorsWriter().add("c", m.create(new long[] {4, 5, 6})).write(dir.resolve(S2));
        }
    }

    private Path index(String weightMap) throws Exception {
        Path p = dir.resolve("model.safetensors.index.json");
        Files.writeString(
                p,
                "{\"metadata\": {\"total_size\": 36, \"format\": \"pt\"}, \"weight_map\": {" + weightMap + "}}",
                StandardCharsets.UTF_8);
        return p;
    }

    static String entry(String name, String shard) {
        return "\"" + name + "\": \"" + shard + "\"";
    }

    private static String valid() {
        return String.join(", ", entry("a", S1), entry("c", S2), entry("b", S1));
    }

    private void assertInvalid(Path index, String... expected) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> ShardedSafetensors.open(index).close());
        for (String s : expected) {
            assertTrue(e.getMessage().contains(s), () -> "message should contain '" + s + "': " + e.getMessage());
        }
    }

    @Test
    void readsEveryShard() throws Exception {
        ShardedSafetensors s = ShardedSafetensors.open(index(valid()));
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals(List.of("a", "c", "b"), List.copyOf(s.names()));
            assertEquals(Map.of("total_size", "36", "format", "pt"), s.metadata());
            assertEquals(List.of(dir.resolve(S1), dir.resolve(S2)), s.shards());
            assertArrayEquals(new float[] {1, 2}, s.load("a", m).toFloatArray());
            assertArrayEquals(new float[] {3}, s.load("b", m).toFloatArray());
            assertArrayEquals(new long[] {4, 5, 6}, s.load("c", m).toLongArray());
            assertEquals(DataType.FLOAT32, s.load("c", m, DataType.FLOAT32).getDataType());
            assertEquals(Dtype.I64, s.info("c").dtype());
            assertThrows(CheckpointException.class, () -> s.info("d"));
        } finally {
            s.close();
        }
        // closing closed every shard
        try (NDManager m = NDManager.newBaseManager()) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> s.load("c", m));
            assertTrue(e.getMessage().contains("is closed"), e::getMessage);
        }
    }

    @Test
    void nameListedButAbsentFromItsShard() throws Exception {
        assertInvalid(
                index(valid() + ", " + entry("d", S2)),
                "does not match its shards",
                "'d' is listed for " + S2 + " but is not in it");
    }

    @Test
    void shardHoldsAnUnlistedName() throws Exception {
        assertInvalid(
                index(String.join(", ", entry("a", S1), entry("c", S2))),
                S1 + " holds 'b', which the weight_map does not list");
    }

    @Test
    void nameListedForTheWrongShard() throws Exception {
        // every problem is listed at once
        assertInvalid(
                index(String.join(", ", entry("a", S1), entry("c", S1), entry("b", S1))),
                "(1 problem)",
                "'c' is listed for " + S1 + " but is not in it");
        assertInvalid(
                index(String.join(", ", entry("a", S2), entry("c", S2), entry("b", S1))),
                "(2 problems)",
                "'a' is listed for " + S2 + " but is not in it",
                S1 + " holds 'a', which the weight_map lists for " + S2);
    }

    @Test
    void missingOrEscapingShard() throws Exception {
        assertInvalid(index(valid() + ", " + entry("z", "model-00003-of-00003.safetensors")),
                "shard model-00003-of-00003.safetensors does not exist");
        assertInvalid(index(entry("a", "../" + S1)), "is not a file in the index's folder");
        assertInvalid(index(entry("a", "/etc/passwd")), "is not a file in the index's folder");
        assertInvalid(index(entry("a", "")), "is not a file in the index's folder");
    }

    @Test
    void malformedIndex() throws Exception {
        Path p = dir.resolve("x.safetensors.index.json");
        Files.writeString(p, "{\"weight_map\": ");
        assertInvalid(p, "not valid JSON");
        Files.writeString(p, "[]");
        assertInvalid(p, "not a JSON object");
        Files.writeString(p, "{\"metadata\": {}}");
        assertInvalid(p, "no \"weight_map\" object");
        Files.writeString(p, "{\"weight_map\": {}}");
        assertInvalid(p, "weight_map is empty");
        Files.writeString(p, "{\"weight_map\": {\"a\": 1}}");
        assertInvalid(p, "weight_map entry 'a' is not a file name");
        Files.writeString(p, "{\"metadata\": [], \"weight_map\": {\"a\": \"" + S1 + "\"}}");
        assertInvalid(p, "\"metadata\" is not an object");
        assertInvalid(dir.resolve("absent.json"), "cannot read checkpoint index");
    }

    @Test
    void aCorruptShardIsReported() throws Exception {
        Files.write(dir.resolve(S2), new byte[] {1, 2, 3});
        assertInvalid(index(valid()), "malformed safetensors file", S2, "shorter than the 8-byte header length");
    }
}
