package io.github.t2i4j.core.world.ldm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.t2i4j.core.io.Dtype;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.models.clip.CLIPModel;
import io.github.t2i4j.core.models.unet.UNet2DConditionConfig;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.models.vae.AutoencoderKL;
import io.github.t2i4j.core.models.vae.AutoencoderKLConfig;
import io.github.t2i4j.core.pipelines.DiffusionPipeline;
import io.github.t2i4j.core.pipelines.DiffusionPipelines;
import io.github.t2i4j.core.pipelines.GenerationRequest;
import io.github.t2i4j.core.pipelines.GenerationResult;
import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.core.schedulers.DPMSolverMultistepScheduler;
import io.github.t2i4j.core.text.CLIPTextModel;
import io.github.t2i4j.core.text.CLIPTokenizer;
import io.github.t2i4j.core.text.WorldTokenizerBuilder;
import io.github.t2i4j.core.training.LocalTextureLoss;
import io.github.t2i4j.core.training.MetricsLog;
import io.github.t2i4j.core.training.StepMetrics;
import io.github.t2i4j.core.training.TrainingLoop;
import io.github.t2i4j.core.world.clip.WorldClipTraining;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latent-diffusion jobs on tiny configurations: a few steps of each, the export, loading the
 * export as any downloaded checkpoint and generating from it, and exact resume of the UNet job.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LdmTrainingTest {
    private static final Logger LOG = LoggerFactory.getLogger(LdmTrainingTest.class);

    @TempDir static Path tmp;
    private Path clipDir;
    private Path vaeDir;
    private VaeTraining.Result vaeResult;

    static VaeTraining.Options tinyVae() {
        return new VaeTraining.Options(List.of(8, 8, 16), 1, 4, 4, 1e-6, 0.0, 0.0,
                new TrainingLoop(3, 2, 1e-3, 1, 0.0, 3, 0, 0, false), 8, 1);
    }

    static UNetTraining.Options tinyUnet(long steps) {
        return new UNetTraining.Options(List.of(16, 32, 32), 1, List.of(false, true, true), 2, 8, 0.5, 0,
                new TrainingLoop(steps, 2, 1e-3, 2, 0.01, 5, 2, 0, false), 0.999, 0, 0);
    }

    @BeforeAll
    void tinyClipAndVae() throws Exception {
        clipDir = tmp.resolve("world-clip");
        WorldTokenizerBuilder vocab = WorldClipTraining.tokenizer();
        vocab.write(clipDir);
        WorldClipTraining.Options o = WorldClipTraining.Options.tiny();
        try (NDManager m = NDManager.newBaseManager()) {
            CLIPModel clip = new CLIPModel(WorldClipTraining.config(o, vocab));
            clip.initialize(m, DataType.FLOAT32);
            clip.save(clipDir, Dtype.F16);
        }
        vaeDir = tmp.resolve("vae");
        vaeResult = VaeTraining.train(tinyVae(), vaeDir, tmp.resolve("vae-work"), false);
    }

    @Test
    void defaultConfigsAreSmallAndRoundTripThroughJson() {
        AutoencoderKLConfig vae = VaeTraining.config(VaeTraining.Options.defaults()).withScalingFactor(0.5);
        assertEquals(vae, AutoencoderKLConfig.fromJson(vae.toJson()));
        assertEquals(4, vae.latentFactor());
        UNet2DConditionConfig unet = UNetTraining.config(UNetTraining.Options.defaults(), vae, 128);
        assertEquals(unet, UNet2DConditionConfig.fromJson(unet.toJson()));
        assertEquals(16, unet.sampleSize());
        assertEquals(List.of("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"), unet.downBlockTypes());
        assertEquals(List.of("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"), unet.upBlockTypes());
        long vaeParams = new AutoencoderKL(vae).parameterCount();
        long unetParams = new UNet2DConditionModel(unet).parameterCount();
        LOG.info("default VAE: {} parameters, default UNet: {} parameters", vaeParams, unetParams);
        assertTrue(vaeParams > 1_000_000 && vaeParams < 5_000_000, "VAE parameters " + vaeParams);
        assertTrue(unetParams > 2_000_000 && unetParams < 15_000_000, "UNet parameters " + unetParams);
    }

    @Test
    void referenceConfigsRoundTripThroughJson() {
        for (String name : List.of("unet_sd", "unet_sdxl")) {
            UNet2DConditionConfig c = UNet2DConditionConfig.fromJson(io.github.t2i4j.core.Golden.config(name));
            assertEquals(c, UNet2DConditionConfig.fromJson(c.toJson()), name);
        }
        AutoencoderKLConfig vae = AutoencoderKLConfig.fromJson(io.github.t2i4j.core.Golden.config("vae"));
        assertEquals(vae, AutoencoderKLConfig.fromJson(vae.toJson()));
        assertEquals(0.25, vae.withScalingFactor(0.25).scalingFactor());
    }

    @Test
    void theEmptyCaptionIsBosEosAndPadding() {
        try (CLIPTokenizer tok = CLIPTokenizer.fromPretrained(clipDir)) {
            long[] ids = tok.encode("").inputIds()[0];
            assertEquals(tok.bosTokenId(), ids[0]);
            assertEquals(tok.eosTokenId(), ids[1]);
            for (int i = 2; i < ids.length; i++) {
                assertEquals(tok.padTokenId(), ids[i]);
            }
        }
    }

    @Test
    void vaeJobWritesAScaledVaeAndMeasuresReconstruction() {
        assertEquals(3, vaeResult.steps());
        assertTrue(Double.isFinite(vaeResult.finalLoss()));
        AutoencoderKLConfig saved = AutoencoderKLConfig.fromJson(vaeDir.resolve("config.json"));
        assertEquals(1 / vaeResult.latentStd(), saved.scalingFactor(), 1e-9);
        assertNotEquals(0.18215, saved.scalingFactor());
        assertTrue(vaeResult.heldOutMse() > 0 && vaeResult.heldOutMse() < 1, "mse " + vaeResult.heldOutMse());
        assertEquals(10 * Math.log10(1 / vaeResult.heldOutMse()), vaeResult.heldOutPsnr(), 1e-9);
        assertEquals(7, vaeResult.heldOutImages());
        assertTrue(Files.isRegularFile(vaeDir.resolve("metrics.jsonl")));
        assertTrue(Files.isRegularFile(vaeDir.resolve("loss.png")));
        assertTrue(Files.isRegularFile(vaeDir.resolve("reconstructions.png")));
        assertAllF16(vaeDir.resolve(AutoencoderKL.WEIGHTS_FILE));
    }

    @Test
    void theVaeJobMeasuresTheEvaluatorsCeilingOnReconstructions() throws Exception {
        // one held-out render per category: the keys are the categories, the rates are fractions of 1
        assertEquals(java.util.Arrays.stream(io.github.t2i4j.core.world.Category.values())
                .map(io.github.t2i4j.core.world.Category::key).toList(),
                List.copyOf(vaeResult.reconstructionCeiling().keySet()));
        vaeResult.reconstructionCeiling().values().forEach(v -> assertTrue(v == 0.0 || v == 1.0, "rate " + v));
        assertTrue(Files.isRegularFile(vaeDir.resolve("reconstruction_ceiling.json")));
    }

    @Test
    void decoderOnlyTrainingKeepsTheEncoderAndItsLatents() throws Exception {
        Path dir = tmp.resolve("vae-decoder");
        VaeTraining.Result r = VaeTraining.train(tinyVae().withGradientWeight(1.0).withTextureWeight(2.0), dir,
                tmp.resolve("vae-decoder-work"), false, vaeDir, true);
        assertEquals(3, r.steps());
        // the scaling factor is the starting VAE's: the latents are the same
        assertEquals(vaeResult.scalingFactor(), r.scalingFactor(), 0);
        try (SafetensorsFile before = SafetensorsFile.open(vaeDir.resolve(AutoencoderKL.WEIGHTS_FILE));
                SafetensorsFile after = SafetensorsFile.open(dir.resolve(AutoencoderKL.WEIGHTS_FILE))) {
            assertEquals(before.names(), after.names());
            int changed = 0;
            for (String name : before.names()) {
                boolean same = before.bytes(name).equals(after.bytes(name));
                if (name.startsWith("encoder.") || name.startsWith("quant_conv.")) {
                    assertTrue(same, name + " changed");
                } else if (!same) {
                    changed++;
                }
            }
            assertTrue(changed > 0, "no decoder weight changed");
        }
        // decoder-only needs a VAE to start from; another architecture is refused, naming the folder
        assertThrows(IllegalArgumentException.class, () -> VaeTraining.train(tinyVae(), tmp.resolve("v-x"),
                tmp.resolve("v-x-work"), false, null, true));
        VaeTraining.Options other = new VaeTraining.Options(List.of(8, 16, 16), 1, 4, 4, 1e-6, 0.0, 0.0,
                new TrainingLoop(1, 2, 1e-3, 1, 0.0, 3, 0, 0, false), 8, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VaeTraining.train(other,
                tmp.resolve("v-y"), tmp.resolve("v-y-work"), false, vaeDir, false));
        assertTrue(e.getMessage().contains(vaeDir.toString()), e.getMessage());
    }

    @Test
    void theGradientTermComparesNeighbouringPixelDifferences() {
        try (NDManager m = NDManager.newBaseManager()) {
            // x: a horizontal ramp 0, 1, 2, 3 in every row; recon: flat. dx error 1 everywhere, dy error 0
            float[] ramp = new float[16];
            for (int i = 0; i < 16; i++) {
                ramp[i] = i % 4;
            }
            NDArray x = m.create(ramp, new ai.djl.ndarray.types.Shape(1, 1, 4, 4));
            NDArray flat = m.zeros(x.getShape());
            assertEquals(0.5, LocalTextureLoss.gradientError(flat, x).getFloat(), 1e-6);
            assertEquals(0.0, LocalTextureLoss.gradientError(x.add(3f), x).getFloat(), 1e-6);
        }
    }

    @Test
    void trainExportLoadAndGenerate() throws Exception {
        Path unetDir = tmp.resolve("unet");
        UNetTraining.Result r = UNetTraining.train(tinyUnet(3).withEvaluation(1, 2), vaeDir, clipDir, unetDir,
                tmp.resolve("unet-work"), false);
        assertEquals(3, r.steps());
        assertTrue(Double.isFinite(r.finalLoss()) && r.finalLoss() > 0);
        assertTrue(Double.isFinite(r.validationLoss()) && r.validationLoss() > 0);
        assertTrue(Files.isRegularFile(unetDir.resolve("samples.png")));

        Path pipeDir = LdmExport.export(vaeDir, unetDir, clipDir, tmp.resolve("world-ldm"));
        for (String f : List.of("model_index.json", "scheduler/scheduler_config.json", "tokenizer/tokenizer.json",
                "tokenizer/tokenizer_config.json", "text_encoder/config.json", "training/unet_metrics.jsonl",
                "training/vae_loss.png")) {
            assertTrue(Files.isRegularFile(pipeDir.resolve(f)), f);
        }
        assertAllF16(pipeDir.resolve("vae/" + AutoencoderKL.WEIGHTS_FILE));
        assertAllF16(pipeDir.resolve("unet/" + UNet2DConditionModel.WEIGHTS_FILE));
        assertAllF16(pipeDir.resolve("text_encoder/model.safetensors"));
        try (SafetensorsFile f = SafetensorsFile.open(pipeDir.resolve("text_encoder/model.safetensors"))) {
            assertTrue(f.names().stream().allMatch(n -> n.startsWith("text_model.")), f.names().toString());
        }
        JsonObject index = JsonParser.parseString(Files.readString(pipeDir.resolve("model_index.json"))).getAsJsonObject();
        assertEquals("StableDiffusionPipeline", index.get("_class_name").getAsString());

        // the text tower loads as a plain CLIPTextModel and equals the CLIP's own text tower
        try (NDManager m = NDManager.newBaseManager();
                CLIPTokenizer tok = CLIPTokenizer.fromPretrained(clipDir)) {
            CLIPTextModel text = CLIPTextModel.fromPretrained(pipeDir.resolve("text_encoder"), m);
            CLIPModel clip = CLIPModel.fromPretrained(clipDir, m);
            var ids = tok.encode(List.of("a red circle", "")).inputIds(m);
            float[] a = text.forward(ids).lastHiddenState().toFloatArray();
            float[] b = clip.textModel().forward(ids, null).lastHiddenState().toFloatArray();
            assertArrayEquals(b, a, 0f);
        }

        try (DiffusionPipeline pipe = DiffusionPipelines.load(pipeDir, Device.cpu())) {
            assertInstanceOf(StableDiffusionPipeline.class, pipe);
            assertInstanceOf(DPMSolverMultistepScheduler.class, pipe.scheduler());
            assertEquals(64, pipe.defaultSize());
            assertEquals(vaeResult.scalingFactor(), pipe.vae().config().scalingFactor(), 1e-12);
            GenerationResult g = pipe.generate(
                    GenerationRequest.builder("a red circle to the left of a blue square").steps(3).seed(1).build());
            assertEquals(1, g.images().size());
            assertEquals(64, g.images().get(0).getWidth());
            assertEquals(64, g.images().get(0).getHeight());
            // DDIM from the shipped config must not clip latents
            assertFalse(pipe.scheduler().config().forClass("DDIMScheduler").clipSample());
            assertEquals(1, pipe.generate(GenerationRequest.builder("a star").steps(2).scheduler("ddim").build())
                    .images().size());
        }
    }

    @Test
    void theLatentCacheHoldsThePosteriorOfTheStreamsFirstSamples() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            AutoencoderKL vae = AutoencoderKL.fromPretrained(vaeDir, m);
            vae.freezeParameters();
            io.github.t2i4j.core.world.WorldDataset data = new io.github.t2i4j.core.world.WorldDataset(
                    5, io.github.t2i4j.core.world.WorldSplit.TRAIN, 64, null);
            Path file = tmp.resolve("cache-test/latent-cache.safetensors");
            float[] fromCache;
            float[] direct;
            try (LatentCache cache = LatentCache.loadOrBuild(vae, vaeDir, data, 70, file, m)) {
                assertEquals(70, cache.size());
                fromCache = cache.latents(new long[] {3, 66}, new java.util.SplittableRandom(1), vae, m).toFloatArray();
            }
            try (var d = vae.encode(data.batch(m, 0, 70).images())) {
                var eps = LdmData.gaussian(m, new java.util.SplittableRandom(1),
                        new ai.djl.ndarray.types.Shape(2, 4, 16, 16));
                var rows = d.mean().get(new ai.djl.ndarray.index.NDIndex("{}", m.create(new long[] {3, 66})));
                var std = d.std().get(new ai.djl.ndarray.index.NDIndex("{}", m.create(new long[] {3, 66})));
                direct = vae.scaleLatents(rows.add(std.mul(eps))).toFloatArray();
            }
            assertEquals(direct.length, fromCache.length);
            for (int i = 0; i < direct.length; i++) {
                // the cache holds fp16 moments
                assertEquals(direct[i], fromCache[i], 2e-3 * (1 + Math.abs(direct[i])), "element " + i);
            }
            // a second call reads the file instead of encoding
            long modified = Files.getLastModifiedTime(file).toMillis();
            try (LatentCache again = LatentCache.loadOrBuild(vae, vaeDir, data, 70, file, m)) {
                assertEquals(70, again.size());
            }
            assertEquals(modified, Files.getLastModifiedTime(file).toMillis());
        }
    }

    @Test
    void aRunCanStartFromATrainedUNet() throws Exception {
        Path trained = tmp.resolve("unet-trained");
        UNetTraining.train(tinyUnet(3).withLatentCache(16), vaeDir, clipDir, trained, tmp.resolve("w-trained"), false);
        Path fresh = tmp.resolve("unet-fresh");
        UNetTraining.train(tinyUnet(1).withLatentCache(16), vaeDir, clipDir, fresh, tmp.resolve("w-fresh"), false);
        Path warm = tmp.resolve("unet-warm");
        UNetTraining.train(tinyUnet(1).withLatentCache(16), vaeDir, clipDir, warm, tmp.resolve("w-warm"), false, trained);
        // same data, noise and seed: only the starting weights differ
        double freshLoss = MetricsLog.read(fresh.resolve("metrics.jsonl")).get(0).loss();
        double warmLoss = MetricsLog.read(warm.resolve("metrics.jsonl")).get(0).loss();
        assertNotEquals(freshLoss, warmLoss);
        // another architecture is refused, naming the folder
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UNetTraining.train(
                tinyUnet(1).withLatentCache(16).withLayersPerBlock(2), vaeDir, clipDir, tmp.resolve("unet-x"),
                tmp.resolve("w-x"), false, trained));
        assertTrue(e.getMessage().contains("unet-trained"), e.getMessage());
    }

    @Test
    void resumedUNetRunReproducesTheUninterruptedRun() throws Exception {
        long total = 6;
        Path fullDir = tmp.resolve("unet-full");
        UNetTraining.Result full = UNetTraining.train(tinyUnet(total).withLatentCache(16), vaeDir, clipDir, fullDir, tmp.resolve("w-full"), false);
        assertEquals(total, full.steps());

        Path dir = tmp.resolve("unet-resumed");
        Path work = tmp.resolve("w-resumed");
        UNetTraining.Result first = UNetTraining.train(tinyUnet(total).withLatentCache(16).withStopAfter(total / 2), vaeDir, clipDir, dir, work, false);
        assertEquals(total / 2, first.steps());
        // the resumed run reads the latent cache back from the work folder
        assertTrue(Files.isRegularFile(work.resolve("latent-cache.safetensors")));
        UNetTraining.Result second = UNetTraining.train(tinyUnet(total).withLatentCache(16), vaeDir, clipDir, dir, work, true);
        assertEquals(total, second.steps());

        List<StepMetrics> a = MetricsLog.read(fullDir.resolve("metrics.jsonl"));
        List<StepMetrics> b = MetricsLog.read(dir.resolve("metrics.jsonl"));
        assertEquals(total, a.size());
        assertEquals(total, b.size());
        for (int i = 0; i < total; i++) {
            assertEquals(a.get(i).step(), b.get(i).step());
            assertEquals(a.get(i).loss(), b.get(i).loss(), 1e-6, "loss at step " + (i + 1));
            assertEquals(a.get(i).gradNorm(), b.get(i).gradNorm(), 1e-6, "grad norm at step " + (i + 1));
            assertEquals(a.get(i).lr(), b.get(i).lr(), 0);
        }
        // the noise and timesteps really vary from step to step
        assertNotEquals(a.get(0).loss(), a.get(1).loss());
        // and the saved EMA weights are the same
        try (SafetensorsFile x = SafetensorsFile.open(fullDir.resolve(UNet2DConditionModel.WEIGHTS_FILE));
                SafetensorsFile y = SafetensorsFile.open(dir.resolve(UNet2DConditionModel.WEIGHTS_FILE))) {
            assertEquals(x.names(), y.names());
            for (String n : x.names()) {
                assertEquals(x.bytes(n), y.bytes(n), n);
            }
        }
    }

    private static void assertAllF16(Path file) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertFalse(f.names().isEmpty());
            for (String n : f.names()) {
                assertEquals(Dtype.F16, f.info(n).dtype(), file + ": " + n);
            }
        }
    }
}
