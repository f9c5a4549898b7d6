package io.github.t2i4j.core.models.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.t2i4j.core.Golden;
import io.github.t2i4j.core.io.CheckpointException;
import io.github.t2i4j.core.io.SafetensorsFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link UNet2DConditionModel#fromPretrained} on a diffusers folder, and strict rejection of bad ones. */
class UNet2DConditionModelLoadTest {

    @TempDir Path tmp;

    /** Copies the unet_sd golden case as a diffusers folder, editing the safetensors header. */
    private Path unetFolder(Consumer<JsonObject> editHeader) throws IOException {
        Path src = Golden.dir("unet_sd");
        Path dir = Files.createDirectories(tmp.resolve("unet"));
        Files.copy(src.resolve("config.json"), dir.resolve("config.json"));
        byte[] all = Files.readAllBytes(src.resolve("weights.safetensors"));
        long headerLen = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonObject header = JsonParser.parseString(
                new String(all, 8, (int) headerLen, StandardCharsets.UTF_8)).getAsJsonObject();
        editHeader.accept(header);
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + h.length + all.length - 8 - (int) headerLen).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h).put(all, 8 + (int) headerLen, all.length - 8 - (int) headerLen);
        Files.write(dir.resolve("diffusion_pytorch_model.safetensors"), out.array());
        return dir;
    }

    @Test
    void loadsADiffusersFolder() throws IOException {
        Path dir = unetFolder(h -> {});
        try (NDManager m = NDManager.newBaseManager();
                SafetensorsFile io = SafetensorsFile.open(Golden.dir("unet_sd").resolve("io.safetensors"))) {
            UNet2DConditionModel model = UNet2DConditionModel.fromPretrained(dir, m);
            NDArray out = model.forward(
                    io.load("sample", m), io.load("timestep", m), io.load("encoder_hidden_states", m), null);
            Golden.assertClose("unet_sd via fromPretrained", io.load("out", m), out, 1e-4);
        }
    }

    @Test
    void aCopyComputesTheSameAndSharesNoArray() throws IOException {
        Path dir = unetFolder(h -> {});
        try (NDManager m = NDManager.newBaseManager();
                NDManager other = NDManager.newBaseManager();
                SafetensorsFile io = SafetensorsFile.open(Golden.dir("unet_sd").resolve("io.safetensors"))) {
            UNet2DConditionModel model = UNet2DConditionModel.fromPretrained(dir, m);
            UNet2DConditionModel copy = model.copy(other, true);
            NDArray sample = io.load("sample", m);
            NDArray t = io.load("timestep", m);
            NDArray context = io.load("encoder_hidden_states", m);
            Golden.assertClose("copy", model.forward(sample, t, context, null), copy.forward(sample, t, context, null), 0);
            String name = "conv_in.weight";
            NDArray w = copy.namedParameters().get(name).getArray();
            assertTrue(w.hasGradient());
            assertEquals(other, w.getManager());
            w.subi(1);
            assertEquals(1f, model.namedParameters().get(name).getArray().sub(w).mean().getFloat(), 1e-5f);
            assertThrows(IllegalStateException.class, () -> new UNet2DConditionModel(model.config()).copy(other, false));
        }
    }

    @Test
    void wrongShapeIsRejectedNamingTheParameter() throws IOException {
        String name = "down_blocks.1.resnets.0.time_emb_proj.weight"; // [64, 128] in the file
        Path dir = unetFolder(h -> {
            JsonArray shape = new JsonArray();
            shape.add(128);
            shape.add(64); // same byte count, transposed shape
            h.getAsJsonObject(name).add("shape", shape);
        });
        try (NDManager m = NDManager.newBaseManager()) {
            CheckpointException e =
                    assertThrows(CheckpointException.class, () -> UNet2DConditionModel.fromPretrained(dir, m));
            assertTrue(e.getMessage().contains(name), e.getMessage());
            assertTrue(e.getMessage().contains("(128, 64)") && e.getMessage().contains("(64, 128)"), e.getMessage());
        }
    }

    @Test
    void missingTensorIsRejectedNamingTheParameter() throws IOException {
        String name = "mid_block.attentions.0.transformer_blocks.0.attn2.to_v.weight";
        Path dir = Files.createDirectories(tmp.resolve("unet"));
        Files.copy(Golden.dir("unet_sd").resolve("config.json"), dir.resolve("config.json"));
        try (NDManager m = NDManager.newBaseManager();
                SafetensorsFile golden = SafetensorsFile.open(Golden.dir("unet_sd").resolve("weights.safetensors"))) {
            java.util.Map<String, NDArray> tensors = new java.util.LinkedHashMap<>();
            for (String n : golden.names()) {
                if (!n.equals(name)) {
                    tensors.put(n, golden.load(n, m));
                }
            }
            io.github.t2i4j.core.io.SafetensorsWriter.save(tensors, dir.resolve("diffusion_pytorch_model.safetensors"));
        }
        try (NDManager m = NDManager.newBaseManager()) {
            CheckpointException e =
                    assertThrows(CheckpointException.class, () -> UNet2DConditionModel.fromPretrained(dir, m));
            assertTrue(e.getMessage().contains("missing") && e.getMessage().contains(name), e.getMessage());
        }
    }

    @Test
    void strayTensorIsRejected() throws IOException {
        Path dir = unetFolder(h -> h.add("class_embedding.weight", h.remove("conv_in.bias")));
        try (NDManager m = NDManager.newBaseManager()) {
            CheckpointException e =
                    assertThrows(CheckpointException.class, () -> UNet2DConditionModel.fromPretrained(dir, m));
            assertTrue(e.getMessage().contains("class_embedding.weight"), e.getMessage());
            assertTrue(e.getMessage().contains("conv_in.bias"), e.getMessage());
        }
    }

    @Test
    void randomInitialisationRuns() {
        UNet2DConditionModel model =
                UNet2DConditionModel.fromConfig(UNet2DConditionConfig.fromJson(Golden.config("unet_sdxl")));
        try (NDManager m = NDManager.newBaseManager()) {
            model.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32);
            NDArray out = model.forward(
                    m.randomNormal(new ai.djl.ndarray.types.Shape(1, 4, 16, 16)), m.create(3),
                    m.randomNormal(new ai.djl.ndarray.types.Shape(1, 5, 64)),
                    new AddedCond(m.randomNormal(new ai.djl.ndarray.types.Shape(1, 32)),
                            m.create(new float[] {16, 16, 0, 0, 16, 16}).reshape(1, 6)));
            assertEquals(new ai.djl.ndarray.types.Shape(1, 4, 16, 16), out.getShape());
            float[] v = out.toFloatArray();
            assertTrue(Arrays.stream(toDouble(v)).allMatch(Double::isFinite));
        }
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}
