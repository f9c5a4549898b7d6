package io.github.t2i4j.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {

    @TempDir Path dir;

    /** A one-tensor file whose tensor name says which file it is. */
    private Path file(String fileName) {
        Path p = dir.resolve(fileName);
        try (NDManager m = NDManager.newBaseManager()) {
            new SafetensorsWriter().add(fileName, m.create(1f)).write(p);
        }
        return p;
    }

    private static String opened(TensorSource s) {
        try (s) {
            return s.names().iterator().next();
        }
    }

    private CheckpointException fails(Path path, String variant, String... expected) {
        CheckpointException e =
                assertThrows(CheckpointException.class, () -> Checkpoints.open(path, variant).close());
        for (String s : expected) {
            assertTrue(e.getMessage().contains(s), () -> "message should contain '" + s + "': " + e.getMessage());
        }
        return e;
    }

    @Test
    void opensAFileAsItIs() {
        Path p = file("anything.safetensors");
        TensorSource s = Checkpoints.open(p);
        assertInstanceOf(SafetensorsFile.class, s);
        assertEquals("anything.safetensors", opened(s));
    }

    @Test
    void opensDiffusersAndTransformersFolders() {
        file("model.safetensors");
        assertEquals("model.safetensors", opened(Checkpoints.open(dir)));
        file("diffusion_pytorch_model.safetensors");
        assertEquals("diffusion_pytorch_model.safetensors", opened(Checkpoints.open(dir)));
    }

    @Test
    void variants() {
        file("diffusion_pytorch_model.safetensors");
        file("diffusion_pytorch_model.fp16.safetensors");
        assertEquals("diffusion_pytorch_model.safetensors", opened(Checkpoints.open(dir)));
        assertEquals("diffusion_pytorch_model.fp16.safetensors", opened(Checkpoints.open(dir, "fp16")));
        assertEquals(dir.resolve("diffusion_pytorch_model.fp16.safetensors"), Checkpoints.find(dir, "fp16"));
        fails(
                dir,
                "bf16",
                "looked for diffusion_pytorch_model.bf16.safetensors, diffusion_pytorch_model.safetensors.index.bf16.json,"
                        + " model.bf16.safetensors, model.safetensors.index.bf16.json",
                "Found diffusion_pytorch_model.safetensors without the 'bf16' variant",
                "open it with variant 'fp16'");
        assertThrows(IllegalArgumentException.class, () -> Checkpoints.open(dir, "../x"));
    }

    @Test
    void onlyAVariantIsPresent() {
        file("diffusion_pytorch_model.fp16.safetensors");
        fails(dir, null, "Found diffusion_pytorch_model.fp16.safetensors: open it with variant 'fp16'");
    }

    @Test
    void shardedFolders() throws Exception {
        ShardedSafetensorsTest.writeShards(dir);
        String map =
                "{\"weight_map\": {"
                        + String.join(
                                ", ",
                                ShardedSafetensorsTest.entry("a", ShardedSafetensorsTest.S1),
                                ShardedSafetensorsTest.entry("b", ShardedSafetensorsTest.S1),
                                ShardedSafetensorsTest.entry("c", ShardedSafetensorsTest.S2))
                        + "}}";
        Files.writeString(dir.resolve("diffusion_pytorch_model.safetensors.index.fp16.json"), map);
        fails(dir, null, "open it with variant 'fp16'");
        TensorSource s = Checkpoints.open(dir, "fp16");
        assertInstanceOf(ShardedSafetensors.class, s);
        assertEquals(List.of("a", "b", "c"), List.copyOf(s.names()));
        s.close();

        Files.writeString(dir.resolve("model.safetensors.index.json"), map);
        assertInstanceOf(ShardedSafetensors.class, Checkpoints.open(dir)).close();
        // an index passed as a file
        assertInstanceOf(ShardedSafetensors.class, Checkpoints.open(dir.resolve("model.safetensors.index.json")))
                .close();
        // a single file is preferred to an index of the same name
        file("model.safetensors");
        assertEquals("model.safetensors", opened(Checkpoints.open(dir)));
    }

    @Test
    void pickleCheckpointsAreRefusedWithAdvice() throws Exception {
        Files.write(dir.resolve("diffusion_pytorch_model.bin"), new byte[] {(byte) 0x80, 2});
        fails(
                dir,
                null,
                "no safetensors weights in " + dir,
                "looked for diffusion_pytorch_model.safetensors, diffusion_pytorch_model.safetensors.index.json,"
                        + " model.safetensors, model.safetensors.index.json",
                "Found diffusion_pytorch_model.bin",
                "are not supported",
                "save_file(torch.load('diffusion_pytorch_model.bin', map_location='cpu', weights_only=True),"
                        + " 'diffusion_pytorch_model.safetensors'",
                "safe_serialization=True");
        // passed directly
        fails(dir.resolve("diffusion_pytorch_model.bin"), null, "cannot read", "are not supported");
        Files.write(dir.resolve("v1-5-pruned.ckpt"), new byte[] {1});
        fails(dir.resolve("v1-5-pruned.ckpt"), null, "'v1-5-pruned.safetensors'", "from_single_file");
        Files.writeString(dir.resolve("pytorch_model.bin.index.json"), "{}");
        fails(dir.resolve("pytorch_model.bin.index.json"), null, "are not supported");
    }

    @Test
    void otherHintsAndMissingPaths() throws Exception {
        file("sd_xl_base_1.0.safetensors");
        Files.writeString(dir.resolve("model_index.json"), "{}");
        fails(
                dir,
                null,
                "Other safetensors files here (pass one as a file to open it): sd_xl_base_1.0.safetensors",
                "diffusers pipeline folder");
        fails(dir.resolve("absent"), null, "no such file or folder");
        fails(dir.resolve("absent.safetensors"), null, "no such file or folder");
    }
}
