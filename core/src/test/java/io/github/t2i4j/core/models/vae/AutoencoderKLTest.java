package io.github.t2i4j.core.models.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.github.t2i4j.core.Golden;
import io.github.t2i4j.core.io.CheckpointException;
import io.github.t2i4j.core.io.SafetensorsFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** AutoencoderKL against diffusers 0.25.1 golden outputs, loading, legacy names and latent scaling. */
class AutoencoderKLTest {
    private static final Logger LOG = LoggerFactory.getLogger(AutoencoderKLTest.class);
    private static final double TOL = 1e-4;

    private static Path weights() {
        return Golden.dir("vae").resolve("weights.safetensors");
    }

    private static AutoencoderKL loadGolden(NDManager m) {
        AutoencoderKL vae = AutoencoderKL.fromConfig(AutoencoderKLConfig.fromJson(Golden.config("vae")));
        try (SafetensorsFile f = SafetensorsFile.open(weights())) {
            vae.loadWeights(f, m, DataType.FLOAT32);
        }
        return vae;
    }

    @Test
    void goldenEncodeDecodeMatchDiffusers() {
        try (NDManager m = NDManager.newBaseManager();
                SafetensorsFile io = SafetensorsFile.open(Golden.dir("vae").resolve("io.safetensors"))) {
            LOG.info("vae io.safetensors tensors: {}", io.names());
            assertTrue(
                    io.names().containsAll(Set.of("image", "z", "latent_mean", "latent_logvar", "decoded")),
                    "io names " + io.names());
            AutoencoderKL vae = loadGolden(m);
            NDArray image = io.load("image", m, DataType.FLOAT32);
            NDArray z = io.load("z", m, DataType.FLOAT32);
            try (DiagonalGaussianDistribution d = vae.encode(image)) {
                double em = Golden.maxAbsDiff(io.load("latent_mean", m), d.mean());
                double el = Golden.maxAbsDiff(io.load("latent_logvar", m), d.logvar());
                NDArray decoded = vae.decode(z);
                double ed = Golden.maxAbsDiff(io.load("decoded", m), decoded);
                LOG.info("vae max abs error: latent_mean {}, latent_logvar {}, decoded {}", em, el, ed);
                assertTrue(em <= TOL, "latent_mean: max abs error " + em);
                assertTrue(el <= TOL, "latent_logvar: max abs error " + el);
                assertTrue(ed <= TOL, "decoded: max abs error " + ed);
                // the input survives the scoped freeing of temporaries
                assertEquals(new Shape(2, 3, 32, 32), image.getShape());
                assertTrue(Float.isFinite(image.sum().getFloat()));

                // DJL's Block contract: reconstruction through the mode
                NDList out = vae.forward(new ParameterStore(m, false), new NDList(image), false);
                Golden.assertClose("forwardInternal", vae.decode(d.mode()), out.head(), 1e-6);
                assertArrayEquals(
                        new Shape[] {out.head().getShape()},
                        vae.getOutputShapes(new Shape[] {image.getShape()}));
            }
        }
    }

    @Test
    void parameterNamesAreDiffusers() {
        AutoencoderKL vae = AutoencoderKL.fromConfig(AutoencoderKLConfig.fromJson(Golden.config("vae")));
        try (SafetensorsFile f = SafetensorsFile.open(weights())) {
            assertEquals(new TreeSet<>(f.names()), new TreeSet<>(vae.namedParameters().keySet()));
            for (String n : f.names()) {
                assertEquals(f.info(n).shape(), vae.namedShapes().get(n), n);
            }
        }
        assertEquals(2, vae.latentFactor());
    }

    @Test
    void fromPretrainedLoadsAVaeFolder(@TempDir Path dir) throws IOException {
        Files.copy(Golden.dir("vae").resolve("config.json"), dir.resolve("config.json"));
        Files.copy(weights(), dir.resolve(AutoencoderKL.WEIGHTS_FILE));
        try (NDManager m = NDManager.newBaseManager();
                SafetensorsFile io = SafetensorsFile.open(Golden.dir("vae").resolve("io.safetensors"))) {
            AutoencoderKL vae = AutoencoderKL.fromPretrained(dir, m);
            Golden.assertClose("decoded", io.load("decoded", m), vae.decode(io.load("z", m)), TOL);
        }
    }

    @Test
    void fromPretrainedNamesAMissingWeightsFile(@TempDir Path dir) throws IOException {
        Files.copy(Golden.dir("vae").resolve("config.json"), dir.resolve("config.json"));
        try (NDManager m = NDManager.newBaseManager()) {
            CheckpointException e =
                    assertThrows(CheckpointException.class, () -> AutoencoderKL.fromPretrained(dir, m));
            assertTrue(e.getMessage().contains(AutoencoderKL.WEIGHTS_FILE), e.getMessage());
        }
    }

    @Test
    void strictLoadReportsMissingTensors(@TempDir Path dir) throws IOException {
        Files.copy(Golden.dir("vae").resolve("config.json"), dir.resolve("config.json"));
        TestSafetensors.copy(
                weights(),
                dir.resolve(AutoencoderKL.WEIGHTS_FILE),
                n -> n.equals("decoder.conv_out.bias") ? null : n,
                t -> t.shape().getShape());
        try (NDManager m = NDManager.newBaseManager()) {
            CheckpointException e =
                    assertThrows(CheckpointException.class, () -> AutoencoderKL.fromPretrained(dir, m));
            assertTrue(e.getMessage().contains("decoder.conv_out.bias"), e.getMessage());
        }
    }

    private static String toLegacy(String n) {
        return n.replace("attentions.0.to_q.", "attentions.0.query.")
                .replace("attentions.0.to_k.", "attentions.0.key.")
                .replace("attentions.0.to_v.", "attentions.0.value.")
                .replace("attentions.0.to_out.0.", "attentions.0.proj_attn.");
    }

    @Test
    void legacyAttentionNamesLoad(@TempDir Path dir) throws IOException {
        checkLegacy(dir, false);
    }

    @Test
    void legacyConvAttentionWeightsLoad(@TempDir Path dir) throws IOException {
        checkLegacy(dir, true);
    }

    private static void checkLegacy(Path dir, boolean conv) throws IOException {
        Files.copy(Golden.dir("vae").resolve("config.json"), dir.resolve("config.json"));
        Path file = dir.resolve(AutoencoderKL.WEIGHTS_FILE);
        TestSafetensors.copy(
                weights(),
                file,
                AutoencoderKLTest::toLegacy,
                t -> {
                    long[] s = t.shape().getShape();
                    boolean proj = !toLegacy(t.name()).equals(t.name()) && t.name().endsWith(".weight");
                    return conv && proj ? new long[] {s[0], s[1], 1, 1} : s;
                });
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertTrue(f.names().contains("encoder.mid_block.attentions.0.proj_attn.weight"));
            assertFalse(f.names().contains("decoder.mid_block.attentions.0.to_q.weight"));
            assertEquals(
                    conv ? new Shape(64, 64, 1, 1) : new Shape(64, 64),
                    f.info("decoder.mid_block.attentions.0.query.weight").shape());
        }
        try (NDManager m = NDManager.newBaseManager();
                SafetensorsFile io = SafetensorsFile.open(Golden.dir("vae").resolve("io.safetensors"))) {
            AutoencoderKL vae = AutoencoderKL.fromPretrained(dir, m);
            Golden.assertClose("decoded", io.load("decoded", m), vae.decode(io.load("z", m)), TOL);
            try (DiagonalGaussianDistribution d = vae.encode(io.load("image", m))) {
                Golden.assertClose("latent_mean", io.load("latent_mean", m), d.mean(), TOL);
            }
        }
    }

    @Test
    void legacyRenameTouchesOnlyMidBlockAttention() {
        assertEquals(
                "decoder.mid_block.attentions.0.to_out.0.bias",
                LegacyAttentionBlocks.rename("decoder.mid_block.attentions.0.proj_attn.bias"));
        assertEquals(
                "encoder.mid_block.attentions.0.to_k.weight",
                LegacyAttentionBlocks.rename("encoder.mid_block.attentions.0.key.weight"));
        assertEquals("encoder.conv_in.weight", LegacyAttentionBlocks.rename("encoder.conv_in.weight"));
        assertEquals(
                "encoder.down_blocks.0.attentions.0.query.weight",
                LegacyAttentionBlocks.rename("encoder.down_blocks.0.attentions.0.query.weight"));
    }

    @Test
    void imageSizeMustBeAMultipleOfTheLatentFactor() {
        AutoencoderKL vae = AutoencoderKL.fromConfig(AutoencoderKLConfig.fromJson(Golden.config("vae")));
        vae.checkImageSize(32, 34);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> vae.checkImageSize(33, 32));
        assertTrue(e.getMessage().contains("33x32") && e.getMessage().contains("latent factor 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> vae.checkImageSize(32, 0));
        AutoencoderKL sd =
                AutoencoderKL.fromConfig(
                        new AutoencoderKLConfig(
                                3, 3,
                                java.util.Collections.nCopies(4, "DownEncoderBlock2D"),
                                java.util.Collections.nCopies(4, "UpDecoderBlock2D"),
                                java.util.List.of(128, 256, 512, 512),
                                2, "silu", 4, 32, 512, 0.18215, 0, null, null, true, true, true, true));
        assertEquals(8, sd.latentFactor());
        sd.checkImageSize(512, 768);
        e = assertThrows(IllegalArgumentException.class, () -> sd.checkImageSize(500, 512));
        assertTrue(e.getMessage().contains("latent factor 8"), e.getMessage());
        try (NDManager m = NDManager.newBaseManager()) {
            AutoencoderKL golden = loadGolden(m);
            NDArray odd = m.zeros(new Shape(1, 3, 31, 32));
            assertThrows(IllegalArgumentException.class, () -> golden.latentsFromImage(odd));
        }
    }

    @Test
    void latentScalingRoundTrips() {
        try (NDManager m = NDManager.newBaseManager();
                SafetensorsFile io = SafetensorsFile.open(Golden.dir("vae").resolve("io.safetensors"))) {
            AutoencoderKL vae = loadGolden(m);
            NDArray image = io.load("image", m);
            NDArray latents = vae.latentsFromImage(image);
            Golden.assertClose("scaled mode", io.load("latent_mean", m).mul(0.18215f), latents, TOL * 0.18215);
            NDArray z = io.load("z", m);
            Golden.assertClose("imageFromLatents", io.load("decoded", m), vae.imageFromLatents(z.mul(0.18215f)), TOL);

            NDArray s1 = vae.latentsFromImage(image, new Random(7));
            NDArray s2 = vae.latentsFromImage(image, new Random(7));
            NDArray s3 = vae.latentsFromImage(image, new Random(8));
            Golden.assertClose("seeded sample", s1, s2, 0);
            assertTrue(Golden.maxAbsDiff(s1, s3) > 1e-3, "different seeds give different samples");
            assertTrue(Golden.maxAbsDiff(s1, latents) > 1e-3, "a sample is not the mode");
        }
    }

    @Test
    void shiftAndPerChannelStatisticsInvert() {
        String json =
                "{\"block_out_channels\":[32,64],\"down_block_types\":[\"DownEncoderBlock2D\",\"DownEncoderBlock2D\"],"
                        + "\"up_block_types\":[\"UpDecoderBlock2D\",\"UpDecoderBlock2D\"],\"scaling_factor\":0.5,";
        AutoencoderKL shifted =
                AutoencoderKL.fromConfig(
                        AutoencoderKLConfig.fromJson(
                                com.google.gson.JsonParser.parseString(json + "\"shift_factor\":0.25}").getAsJsonObject()));
        AutoencoderKL normed =
                AutoencoderKL.fromConfig(
                        AutoencoderKLConfig.fromJson(
                                com.google.gson.JsonParser.parseString(
                                                json + "\"latents_mean\":[1,2,3,4],\"latents_std\":[2,2,4,4]}")
                                        .getAsJsonObject()));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = m.randomNormal(new Shape(1, 4, 2, 2));
            NDArray a = shifted.scaleLatents(z);
            Golden.assertClose("(z - 0.25) * 0.5", z.sub(0.25f).mul(0.5f), a, 1e-6);
            Golden.assertClose("shift inverse", z, shifted.unscaleLatents(a), 1e-6);
            NDArray b = normed.scaleLatents(z);
            NDArray mean = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 4, 1, 1));
            NDArray std = m.create(new float[] {2, 2, 4, 4}, new Shape(1, 4, 1, 1));
            Golden.assertClose("(z - mean) * s / std", z.sub(mean).mul(0.5f).div(std), b, 1e-6);
            Golden.assertClose("stats inverse", z, normed.unscaleLatents(b), 1e-5);
        }
    }

    @Test
    void randomInitialisationRuns() {
        AutoencoderKLConfig c = AutoencoderKLConfig.fromJson(Golden.config("vae"));
        try (NDManager m = NDManager.newBaseManager()) {
            AutoencoderKL vae = AutoencoderKL.fromConfig(c);
            vae.initialize(m, DataType.FLOAT32);
            NDArray out = vae.forward(m.randomUniform(-1, 1, new Shape(1, 3, 16, 16)));
            assertEquals(new Shape(1, 3, 16, 16), out.getShape());
            assertTrue(Float.isFinite(out.abs().sum().getFloat()));
        }
    }

    @Test
    void optionalPartsFollowTheConfig() {
        com.google.gson.JsonObject o = Golden.config("vae");
        o.addProperty("mid_block_add_attention", false);
        o.addProperty("use_quant_conv", false);
        o.addProperty("use_post_quant_conv", false);
        AutoencoderKL vae = AutoencoderKL.fromConfig(AutoencoderKLConfig.fromJson(o));
        Set<String> names = vae.namedParameters().keySet();
        assertFalse(names.stream().anyMatch(n -> n.contains("attentions") || n.contains("quant_conv")), names.toString());
        assertTrue(names.contains("decoder.mid_block.resnets.1.conv2.weight"));
        try (NDManager m = NDManager.newBaseManager()) {
            vae.initialize(m, DataType.FLOAT32);
            assertEquals(new Shape(2, 3, 8, 8), vae.forward(m.zeros(new Shape(2, 3, 8, 8))).getShape());
        }
    }

    @Test
    void temporariesAreFreedAsTheyGo() {
        try (NDManager m = NDManager.newBaseManager();
                SafetensorsFile io = SafetensorsFile.open(Golden.dir("vae").resolve("io.safetensors"))) {
            AutoencoderKL vae = loadGolden(m);
            try (NDManager w = m.newSubManager()) {
                NDArray image = io.load("image", w);
                NDArray z = io.load("z", w);
                int before = w.getManagedArrays().size();
                DiagonalGaussianDistribution d = vae.encode(image);
                NDArray decoded = vae.decode(z);
                int live = w.getManagedArrays().size() - before;
                // mean, logvar, std and the decoded image; hundreds without the scopes
                assertTrue(live <= 4, live + " arrays left alive by encode + decode");
                // the latent helpers leave only their result too
                int mid = w.getManagedArrays().size();
                NDArray latents = vae.latentsFromImage(image);
                NDArray back = vae.imageFromLatents(latents);
                assertEquals(mid + 2, w.getManagedArrays().size(), "latentsFromImage + imageFromLatents");
                back.close();
                Golden.assertClose("decoded", io.load("decoded", w), decoded, TOL);
                d.close();
            }
        }
    }

    @Test
    void gradientsFlowThroughTheFreedTemporaries() {
        try (NDManager m = NDManager.newBaseManager()) {
            AutoencoderKL vae = loadGolden(m);
            NDArray w = vae.namedParameters().get("encoder.conv_in.weight").getArray();
            w.setRequiresGradient(true);
            NDArray image = m.randomUniform(-1, 1, new Shape(1, 3, 16, 16));
            try (ai.djl.training.GradientCollector gc =
                    ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                NDArray loss = vae.forward(image).square().mean();
                gc.backward(loss);
            }
            float g = w.getGradient().abs().sum().getFloat();
            assertTrue(g > 0 && Float.isFinite(g), "gradient of encoder.conv_in.weight: " + g);
        }
    }
}
