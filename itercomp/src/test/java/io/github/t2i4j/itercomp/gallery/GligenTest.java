package io.github.t2i4j.itercomp.gallery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.io.CheckpointException;
import io.github.t2i4j.core.io.JsonFiles;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.io.SafetensorsWriter;
import io.github.t2i4j.core.io.TensorInfo;
import io.github.t2i4j.core.models.unet.BasicTransformerBlock;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.tensor.Noise;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GLIGEN's layers under diffusers' names and math, on the tiny world pipeline's UNet. */
class GligenTest {
    @TempDir Path tmp;

    private static UNet2DConditionModel base(NDManager m) {
        return UNet2DConditionModel.fromPretrained(GalleryFixtures.tinyPipeline().resolve("unet"), m);
    }

    private static GroundingInput grounding(NDManager m, int batch, int slots, int width, long seed) {
        float[] boxes = new float[batch * slots * 4];
        float[] masks = new float[batch * slots];
        for (int i = 0; i < batch * slots; i++) {
            boxes[4 * i] = 0.1f + 0.05f * (i % 3);
            boxes[4 * i + 1] = 0.2f;
            boxes[4 * i + 2] = 0.6f;
            boxes[4 * i + 3] = 0.7f + 0.1f * (i % 2);
            masks[i] = i % slots < 2 ? 1 : 0;
        }
        return new GroundingInput(m.create(boxes, new Shape(batch, slots, 4)), m.create(masks, new Shape(batch, slots)),
                Noise.gaussian(m, seed, new Shape(batch, slots, width)));
    }

    @Test
    void theFourierEmbeddingIsDiffusers() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] box = {0.1f, 0.25f, 0.6f, 0.9f};
            float[] e = PositionNet.fourierEmbedding(m.create(box, new Shape(1, 1, 4)), 8).toFloatArray();
            assertEquals(64, e.length);
            for (int f = 0; f < 8; f++) {
                double freq = Math.pow(100, f / 8.0);
                for (int c = 0; c < 4; c++) {
                    assertEquals(Math.sin(freq * box[c]), e[f * 8 + c], 1e-4, "sin f" + f + " c" + c);
                    assertEquals(Math.cos(freq * box[c]), e[f * 8 + 4 + c], 1e-4, "cos f" + f + " c" + c);
                }
            }
        }
    }

    @Test
    void thePositionNetHasDiffusersNamesAndNullTokensForPadding() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(1);
            PositionNet net = new PositionNet(32, 24);
            net.initialize(m, DataType.FLOAT32);
            Map<String, Shape> shapes = net.namedShapes();
            assertEquals(Set.of("linears.0.weight", "linears.0.bias", "linears.2.weight", "linears.2.bias",
                    "linears.4.weight", "linears.4.bias", "null_positive_feature", "null_position_feature"), shapes.keySet());
            assertEquals(new Shape(512, 32 + 64), shapes.get("linears.0.weight"));
            assertEquals(new Shape(24, 512), shapes.get("linears.4.weight"));
            assertEquals(new Shape(64), shapes.get("null_position_feature"));
            // the null features start at zero, as diffusers'
            assertEquals(0f, net.namedParameters().get("null_positive_feature").getArray().abs().max().getFloat());
            net.namedParameters().get("null_positive_feature").getArray().set(Noise.gaussian(m, 3, new Shape(32)).toFloatArray());

            GroundingInput a = grounding(m, 2, 3, 32, 5);
            GroundingInput b = grounding(m, 2, 3, 32, 6); // other phrases
            NDArray ta = net.forward(a.boxes(), a.masks(), a.phraseEmbeddings());
            NDArray tb = net.forward(b.boxes().add(0.1f), b.masks(), b.phraseEmbeddings());
            assertEquals(new Shape(2, 3, 24), ta.getShape());
            // padding slots (index 2) do not see their box or phrase, object slots do
            assertArrayEquals(ta.get(new NDIndex(":, 2")).toFloatArray(), tb.get(new NDIndex(":, 2")).toFloatArray(), 1e-6f);
            assertTrue(ta.get(new NDIndex(":, 0")).sub(tb.get(new NDIndex(":, 0"))).abs().max().getFloat() > 1e-4);
            assertThrows(IllegalArgumentException.class, () -> net.forward(a.boxes(), a.masks(), a.boxes()));
        }
    }

    @Test
    void aZeroGatedFuserIsTheIdentity() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(2);
            GatedSelfAttentionDense fuser = new GatedSelfAttentionDense(16, 24, 2, 8);
            fuser.initialize(m, DataType.FLOAT32);
            assertEquals(new TreeSet<>(List.of("linear.weight", "linear.bias", "attn.to_q.weight", "attn.to_k.weight",
                    "attn.to_v.weight", "attn.to_out.0.weight", "attn.to_out.0.bias", "ff.net.0.proj.weight",
                    "ff.net.0.proj.bias", "ff.net.2.weight", "ff.net.2.bias", "norm1.weight", "norm1.bias",
                    "norm2.weight", "norm2.bias", "alpha_attn", "alpha_dense")), new TreeSet<>(fuser.namedShapes().keySet()));
            assertEquals(new Shape(), fuser.namedShapes().get("alpha_attn"));
            NDArray x = Noise.gaussian(m, 1, new Shape(2, 9, 16));
            NDArray objs = Noise.gaussian(m, 2, new Shape(2, 4, 24));
            assertArrayEquals(x.toFloatArray(), fuser.fuse(x, objs).toFloatArray(), 0f);
            fuser.alphaAttn().getArray().set(new float[] {0.5f});
            NDArray attended = fuser.fuse(x, objs);
            assertEquals(x.getShape(), attended.getShape());
            assertTrue(attended.sub(x).abs().max().getFloat() > 1e-4);
            // the gate is tanh(alpha): only the attention branch is open, so the dense gate keeps its zero
            fuser.alphaDense().getArray().set(new float[] {0.3f});
            assertTrue(fuser.fuse(x, objs).sub(attended).abs().max().getFloat() > 1e-5);
        }
    }

    @Test
    void zeroGatesLeaveTheBaseUNetUnchanged() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = base(m);
            Set<String> baseNames = new TreeSet<>(unet.namedParameters().keySet());
            NDArray sample = Noise.gaussian(m, 1, new Shape(2, 4, 16, 16));
            NDArray t = m.create(new float[] {10, 700});
            NDArray text = Noise.gaussian(m, 2, new Shape(2, 6, 32));
            float[] plain = unet.forward(sample, t, text, null).toFloatArray();

            Engine.getInstance().setRandomSeed(4);
            GligenUNet gligen = GligenUNet.attach(unet, m);
            Map<String, BasicTransformerBlock> blocks = unet.transformerBlocks();
            assertEquals(blocks.keySet(), gligen.fusers().keySet());
            assertTrue(blocks.keySet().stream().anyMatch(n -> n.startsWith("mid_block.")));
            blocks.forEach((name, block) -> assertTrue(block.fuser() == gligen.fusers().get(name), name));
            Set<String> names = gligen.namedParameters().keySet();
            assertTrue(names.containsAll(baseNames));
            for (String n : names) {
                assertEquals(!baseNames.contains(n), GligenUNet.isGroundingParameter(n), n);
            }
            String mid = blocks.keySet().stream().filter(n -> n.startsWith("mid_block.")).findFirst().orElseThrow();
            assertTrue(names.contains(mid + ".fuser.alpha_attn"));
            assertTrue(names.contains(mid + ".fuser.attn.to_q.weight"));
            assertTrue(names.contains("position_net.linears.4.weight"));
            assertEquals(new Shape(32, 512), gligen.namedShapes().get("position_net.linears.4.weight"));
            assertEquals(new Shape(32), gligen.namedShapes().get("position_net.null_positive_feature"));

            GroundingInput g = grounding(m, 2, 4, 32, 7);
            assertArrayEquals(plain, gligen.forward(sample, t, text, g).toFloatArray(), 0f);
            assertArrayEquals(plain, gligen.forward(sample, t, text, (GroundingInput) null).toFloatArray(), 0f);

            gligen.fusers().values().forEach(f -> f.alphaAttn().getArray().set(new float[] {1f}));
            float[] grounded = gligen.forward(sample, t, text, g).toFloatArray();
            assertFalse(java.util.Arrays.equals(plain, grounded), "open gates change the prediction");
            assertArrayEquals(plain, gligen.forward(sample, t, text, (GroundingInput) null).toFloatArray(), 0f);
            assertArrayEquals(plain, unet.forward(sample, t, text, null).toFloatArray(), 0f);
        }
    }

    @Test
    void aGligenFolderIsDiffusersLayoutAndLoadsStrictly() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            GligenUNet gligen = GligenUNet.attach(base(m), m);
            gligen.fusers().values().forEach(f -> f.alphaAttn().getArray().set(new float[] {0.7f}));
            Path dir = tmp.resolve("gligen");
            gligen.save(dir, null);
            JsonObject cfg = JsonFiles.readObject(dir.resolve("config.json"), "config");
            assertEquals("gated", cfg.get("attention_type").getAsString());
            assertEquals("UNet2DConditionModel", cfg.get("_class_name").getAsString());
            // a plain UNet loader refuses the gated config rather than ignoring the extra layers
            assertThrows(IllegalArgumentException.class, () -> UNet2DConditionModel.fromPretrained(dir, m));

            GligenUNet loaded = GligenUNet.fromPretrained(dir, m);
            assertEquals(gligen.namedShapes(), loaded.namedShapes());
            NDArray sample = Noise.gaussian(m, 1, new Shape(1, 4, 16, 16));
            NDArray t = m.create(new float[] {300});
            NDArray text = Noise.gaussian(m, 2, new Shape(1, 6, 32));
            GroundingInput g = grounding(m, 1, 4, 32, 8);
            assertArrayEquals(gligen.forward(sample, t, text, g).toFloatArray(),
                    loaded.forward(sample, t, text, g).toFloatArray(), 0f);

            // strict: a missing or a stray tensor is an error naming it
            Path missing = copyWith(dir, tmp.resolve("missing"), "position_net.null_position_feature", false);
            CheckpointException e = assertThrows(CheckpointException.class, () -> GligenUNet.fromPretrained(missing, m));
            assertTrue(e.getMessage().contains("position_net.null_position_feature"), e.getMessage());
            Path stray = copyWith(dir, tmp.resolve("stray"), "position_net.extra", true);
            e = assertThrows(CheckpointException.class, () -> GligenUNet.fromPretrained(stray, m));
            assertTrue(e.getMessage().contains("position_net.extra"), e.getMessage());
            // a plain UNet folder is not a GLIGEN UNet
            e = assertThrows(CheckpointException.class,
                    () -> GligenUNet.fromPretrained(GalleryFixtures.tinyPipeline().resolve("unet"), m));
            assertTrue(e.getMessage().contains("attention_type"), e.getMessage());
        }
    }

    /** A copy of a GLIGEN folder without tensor {@code name}, or with an extra tensor of that name. */
    private static Path copyWith(Path dir, Path out, String name, boolean add) throws Exception {
        Files.createDirectories(out);
        Files.copy(dir.resolve("config.json"), out.resolve("config.json"));
        try (SafetensorsFile in = SafetensorsFile.open(dir.resolve(GligenUNet.WEIGHTS_FILE))) {
            SafetensorsWriter w = new SafetensorsWriter();
            for (String n : in.names()) {
                if (!add && n.equals(name)) {
                    continue;
                }
                TensorInfo info = in.info(n);
                w.add(n, info.dtype(), info.shape().getShape(), in.bytes(n));
            }
            if (add) {
                TensorInfo info = in.info("position_net.null_position_feature");
                w.add(name, info.dtype(), info.shape().getShape(), in.bytes("position_net.null_position_feature"));
            }
            w.write(out.resolve(GligenUNet.WEIGHTS_FILE));
        }
        return out;
    }
}
