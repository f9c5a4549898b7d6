package io.github.t2i4j.star.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.io.Dtype;
import io.github.t2i4j.core.io.JsonFiles;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.models.clip.CLIPModel;
import io.github.t2i4j.core.text.WorldTokenizerBuilder;
import io.github.t2i4j.core.training.MetricsLog;
import io.github.t2i4j.core.training.StepMetrics;
import io.github.t2i4j.core.training.TrainingCheckpoint;
import io.github.t2i4j.core.training.TrainingLoop;
import io.github.t2i4j.core.world.clip.WorldClipTraining;
import io.github.t2i4j.star.StarPipeline;
import io.github.t2i4j.star.model.PositionEncoding;
import io.github.t2i4j.star.model.StarConfig;
import io.github.t2i4j.star.model.StarTransformer;
import io.github.t2i4j.star.sample.SamplingOptions;
import io.github.t2i4j.star.sample.StarSample;
import io.github.t2i4j.star.sample.StarSampler;
import io.github.t2i4j.star.sample.StarTextEncoder;
import io.github.t2i4j.star.sample.TextCondition;
import io.github.t2i4j.star.tokenizer.MultiScaleVQTokenizer;
import io.github.t2i4j.star.tokenizer.Resampling;
import io.github.t2i4j.star.tokenizer.VQVAEConfig;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The STAR training jobs on tiny configurations (8x8 renders, scales 1,2,3,4, 32 codes, a 1-layer
 * world CLIP of width 32): the tokenizer job, loss going down with either position encoding, exact
 * resume, caption dropout, the resolution-transfer path, and export -> StarPipeline -> generate.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StarTrainingTest {
    private static final Logger LOG = LoggerFactory.getLogger(StarTrainingTest.class);

    @TempDir static Path tmp;
    private Path clipDir;
    private Path tokenizerDir;
    private StarWorldTokenizerTraining.Result tokenizerResult;

    static StarWorldTokenizerTraining.Options tinyTokenizer() {
        return new StarWorldTokenizerTraining.Options(32, 4, 32, List.of(1, 1), 1, List.of(1, 2, 3, 4), 1.0, 2,
                new TrainingLoop(3, 4, 1e-3, 1, 0.0, 0, 0, 0, false), 1);
    }

    static StarTraining.Options tiny(PositionEncoding positions, long steps) {
        return new StarTraining.Options(32, 2, 4, 2.0, positions, 0.1, 64,
                new TrainingLoop(steps, 8, 3e-3, 3, 0.05, 0, 5, 0, false), 2.0, 0.99, 0, 0);
    }

    @BeforeAll
    void tinyClipAndTokenizer() throws Exception {
        clipDir = tmp.resolve("world-clip");
        WorldTokenizerBuilder vocab = WorldClipTraining.tokenizer();
        vocab.write(clipDir);
        WorldClipTraining.Options o = WorldClipTraining.Options.tiny();
        try (NDManager m = NDManager.newBaseManager()) {
            ai.djl.engine.Engine.getInstance().setRandomSeed(1);
            CLIPModel clip = new CLIPModel(WorldClipTraining.config(o, vocab));
            clip.initialize(m, DataType.FLOAT32);
            clip.save(clipDir, Dtype.F16);
        }
        tokenizerDir = tmp.resolve("vq-tokenizer");
        tokenizerResult = StarWorldTokenizerTraining.train(tinyTokenizer(), tokenizerDir, tmp.resolve("vq-work"), false);
    }

    @Test
    void tokenizerJobWritesTheFolderAndMeasuresPsnrAndCodeUsage() throws Exception {
        StarWorldTokenizerTraining.Result r = tokenizerResult;
        assertEquals(3, r.steps());
        assertTrue(Double.isFinite(r.finalLoss()) && r.finalLoss() > 0);
        VQVAEConfig saved = VQVAEConfig.fromJson(tokenizerDir.resolve("config.json"));
        assertEquals(StarWorldTokenizerTraining.config(tinyTokenizer()), saved);
        assertEquals(8, saved.imageSize());
        assertTrue(r.heldOutMse() > 0 && r.heldOutMse() < 1, "mse " + r.heldOutMse());
        assertEquals(10 * Math.log10(1 / r.heldOutMse()), r.heldOutPsnr(), 1e-9);
        assertEquals(7, r.heldOutImages());
        assertEquals(4, r.heldOutUsagePerScale().length);
        // 7 images: scale 0 has 7 positions, so at most 7 of 32 codes; overall at least as many as any scale
        assertTrue(r.heldOutUsagePerScale()[0] > 0 && r.heldOutUsagePerScale()[0] <= 100.0 * 7 / 32);
        for (double u : r.heldOutUsagePerScale()) {
            assertTrue(u <= r.heldOutUsagePercent() + 1e-9);
        }
        assertTrue(r.trainingUsagePercent() >= 0 && r.trainingUsagePercent() <= 100);
        for (String f : List.of("metrics.jsonl", "loss.png", "reconstructions.png")) {
            assertTrue(Files.isRegularFile(tokenizerDir.resolve(f)), f);
        }
        assertAllF16(tokenizerDir.resolve(MultiScaleVQTokenizer.WEIGHTS_FILE));
        assertEquals(3, MetricsLog.read(tokenizerDir.resolve("metrics.jsonl")).size());
    }

    @Test
    void decoderFineTuneChangesOnlyTheDecoderSoTheTokensStay() throws Exception {
        // 16 px (three levels): the texture term needs a window of 8 plus lag 2
        StarWorldTokenizerTraining.Options o16 = new StarWorldTokenizerTraining.Options(32, 4, 32, List.of(1, 1, 1), 1,
                List.of(1, 2, 3, 4), 1.0, 2, new TrainingLoop(1, 4, 1e-3, 0, 0.0, 0, 0, 0, false), 1);
        Path base = tmp.resolve("tok16");
        StarWorldTokenizerTraining.train(o16, base, tmp.resolve("tok16-work"), false);
        StarWorldTokenizerTraining.DecoderOptions d = new StarWorldTokenizerTraining.DecoderOptions(1.0, 2.0,
                new TrainingLoop(3, 4, 1e-2, 0, 0.0, 1, 0, 0, false), 1);
        Path out = tmp.resolve("tok16-decoder");
        StarWorldTokenizerTraining.Result r =
                StarWorldTokenizerTraining.fineTuneDecoder(d, base, out, tmp.resolve("tok16-decoder-work"), false);
        assertEquals(3, r.steps());
        assertTrue(Double.isFinite(r.finalLoss()) && Double.isFinite(r.heldOutPsnr()));
        int changed = 0;
        try (SafetensorsFile a = SafetensorsFile.open(base.resolve(MultiScaleVQTokenizer.WEIGHTS_FILE));
                SafetensorsFile b = SafetensorsFile.open(out.resolve(MultiScaleVQTokenizer.WEIGHTS_FILE))) {
            assertEquals(a.names(), b.names());
            for (String n : a.names()) {
                boolean trained = n.startsWith("decoder.") || n.startsWith("post_quant_conv.");
                if (!trained) {
                    assertEquals(a.bytes(n), b.bytes(n), n + " is frozen");
                } else if (!a.bytes(n).equals(b.bytes(n))) {
                    changed++;
                }
            }
        }
        assertTrue(changed > 10, changed + " decoder tensors changed");
        assertEquals(VQVAEConfig.fromJson(base.resolve("config.json")), VQVAEConfig.fromJson(out.resolve("config.json")));
    }

    @Test
    void defaultsAreWorldSized() {
        VQVAEConfig tok = StarWorldTokenizerTraining.config(StarWorldTokenizerTraining.Options.defaults());
        assertEquals(64, tok.imageSize());
        assertEquals(8, tok.latentSize());
        assertEquals(List.of(1, 2, 3, 4, 6, 8), tok.vPatchNums());
        assertEquals(130, tok.tokenCount());
        assertEquals(tok, VQVAEConfig.fromJson(tok.toJson()));
        long tokParams = MultiScaleVQTokenizer.fromConfig(tok).parameterCount();
        StarConfig star = StarTraining.config(StarTraining.Options.defaults(), tok, 128);
        assertEquals(PositionEncoding.NORMALIZED_ROPE, star.positions());
        assertEquals(star, StarConfig.fromJson(star.toJson()));
        long starParams = new StarTransformer(star).parameterCount();
        LOG.info("default world tokenizer: {} parameters; default STAR transformer: {} parameters", tokParams,
                starParams);
        assertTrue(tokParams > 500_000 && tokParams < 5_000_000, "tokenizer parameters " + tokParams);
        assertTrue(starParams > 2_000_000 && starParams < 12_000_000, "transformer parameters " + starParams);
        // the 96 px schedule of the resolution transfer fits the same tokenizer
        assertEquals(96, tok.withPatchNums(List.of(1, 2, 3, 4, 6, 8, 12)).imageSize());
    }

    @ParameterizedTest
    @EnumSource(PositionEncoding.class)
    void lossDecreasesOverThirtySteps(PositionEncoding positions) throws Exception {
        Path out = tmp.resolve("loss-" + positions);
        StarTraining.Result r = StarTraining.train(tiny(positions, 30).withEvaluation(1, 2), tokenizerDir, clipDir,
                out, tmp.resolve("loss-work-" + positions), false);
        List<StepMetrics> ms = MetricsLog.read(out.resolve("metrics.jsonl"));
        assertEquals(30, ms.size());
        double first = ms.subList(0, 5).stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
        double last = ms.subList(25, 30).stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
        LOG.info("{}: loss {} -> {} (ln V = {}), held-out cross-entropy {} per scale {}", positions, first, last,
                Math.log(32), r.validationLoss(), java.util.Arrays.toString(r.validationPerScale()));
        assertTrue(first > 0.9 * Math.log(32), "initial loss " + first + " should be near ln V");
        assertTrue(last < first - 0.3, "loss " + first + " -> " + last);
        assertTrue(ms.stream().noneMatch(StepMetrics::skipped),
                "skipped: " + ms.stream().filter(StepMetrics::skipped).toList());
        assertTrue(Double.isFinite(r.validationLoss()) && r.validationPerScale().length == 4);
        assertTrue(Double.isNaN(r.validationBeforeTraining()), "trained from scratch: nothing before");
        assertTrue(Files.isRegularFile(out.resolve("samples.png")));
        assertTrue(Files.isRegularFile(out.resolve("loss.png")));
        StarTransformer saved;
        try (NDManager m = NDManager.newBaseManager()) {
            saved = StarTransformer.fromPretrained(out, m);
            assertEquals(positions, saved.config().positions());
            assertEquals(positions == PositionEncoding.ABSOLUTE, saved.namedParameters().containsKey("pos_1LC"));
        }
        assertAllF16(out.resolve(StarTransformer.WEIGHTS_FILE));
    }

    @Test
    void resumedRunReproducesTheUninterruptedRun() throws Exception {
        StarTraining.Options o = tiny(PositionEncoding.NORMALIZED_ROPE, 10);
        Path fullOut = tmp.resolve("full");
        StarTraining.train(o, tokenizerDir, clipDir, fullOut, tmp.resolve("full-work"), false);

        Path out = tmp.resolve("sliced");
        Path work = tmp.resolve("sliced-work");
        StarTraining.Result first = StarTraining.train(o.withStopAfter(5), tokenizerDir, clipDir, out, work, false);
        assertEquals(5, first.steps());
        assertTrue(Files.isDirectory(work.resolve("checkpoints").resolve(TrainingCheckpoint.name(5))));
        assertTrue(Files.isRegularFile(work.resolve(StarTraining.TOKEN_CACHE)));
        StarTraining.Result second = StarTraining.train(o, tokenizerDir, clipDir, out, work, true);
        assertEquals(10, second.steps());

        List<StepMetrics> full = MetricsLog.read(fullOut.resolve("metrics.jsonl"));
        List<StepMetrics> resumed = MetricsLog.read(out.resolve("metrics.jsonl"));
        assertEquals(10, resumed.size());
        for (int i = 0; i < 10; i++) {
            assertEquals(full.get(i).step(), resumed.get(i).step());
            assertEquals(full.get(i).loss(), resumed.get(i).loss(), 0, "loss at step " + (i + 1));
            assertEquals(full.get(i).gradNorm(), resumed.get(i).gradNorm(), 0, "grad norm at step " + (i + 1));
            assertEquals(full.get(i).lr(), resumed.get(i).lr(), 0);
        }
        // the saved EMA weights are the same bytes
        try (SafetensorsFile a = SafetensorsFile.open(fullOut.resolve(StarTransformer.WEIGHTS_FILE));
                SafetensorsFile b = SafetensorsFile.open(out.resolve(StarTransformer.WEIGHTS_FILE))) {
            assertEquals(a.names(), b.names());
            for (String n : a.names()) {
                assertEquals(a.bytes(n), b.bytes(n), n);
            }
        }
    }

    @Test
    void captionDropoutDropsTheConfiguredFraction() {
        LongCaption caption = i -> "caption " + i;
        SplittableRandom rng = new SplittableRandom(11);
        int batches = 2_000;
        int batch = 16;
        long dropped = 0;
        for (int k = 0; k < batches; k++) {
            TrainingBatch b = TrainingBatch.draw(rng, batch, 1_000, 0.1, caption::of);
            for (int i = 0; i < batch; i++) {
                long idx = b.indices()[i];
                assertTrue(idx >= 0 && idx < 1_000);
                assertEquals(b.dropped()[i] ? TrainingBatch.EMPTY_PROMPT : caption.of(idx), b.captions().get(i));
            }
            dropped += b.droppedCount();
        }
        double fraction = (double) dropped / (batches * batch);
        LOG.info("caption dropout: {} of {} captions dropped ({})", dropped, batches * batch, fraction);
        // binomial standard deviation sqrt(0.09 / 32000) = 0.0017
        assertEquals(0.1, fraction, 0.008);
        // a function of the stream: the same seed draws the same batch; rate 0 drops nothing
        TrainingBatch a = TrainingBatch.draw(new SplittableRandom(5), 8, 100, 0.5, caption::of);
        TrainingBatch b = TrainingBatch.draw(new SplittableRandom(5), 8, 100, 0.5, caption::of);
        assertArrayEquals(a.indices(), b.indices());
        assertEquals(a.captions(), b.captions());
        assertEquals(0, TrainingBatch.draw(new SplittableRandom(5), 64, 100, 0, caption::of).droppedCount());
    }

    @FunctionalInterface
    interface LongCaption {
        String of(long i);
    }

    @Test
    void scheduleTransferKeepsRopeWeightsAndResizesTheAbsoluteTable() {
        assertArrayEquals(new int[] {0, 1, 2, 3, 5, 5}, ScheduleTransfer.sourceScales(new int[] {1, 2, 3, 4, 6, 8},
                new int[] {1, 2, 3, 4, 8, 12}));
        assertArrayEquals(new int[] {0, 1, 2, 3, 3}, ScheduleTransfer.sourceScales(new int[] {1, 2, 3, 4},
                new int[] {1, 2, 3, 4, 6}));
        int[] longer = {1, 2, 3, 4, 6};
        try (NDManager m = NDManager.newBaseManager()) {
            for (PositionEncoding p : PositionEncoding.values()) {
                StarTransformer base = new StarTransformer(StarConfig.of(32, 4, 32, 2, 4, 32, 1, 2, 3, 4).withPositions(p));
                base.initialize(m, DataType.FLOAT32);
                StarTransformer moved = ScheduleTransfer.extend(base, longer, m);
                assertArrayEquals(longer, moved.config().patchNums());
                Map<String, ai.djl.nn.Parameter> before = base.namedParameters();
                for (Map.Entry<String, ai.djl.nn.Parameter> e : moved.namedParameters().entrySet()) {
                    NDArray now = e.getValue().getArray();
                    NDArray was = before.get(e.getKey()).getArray();
                    switch (e.getKey()) {
                        case "lvl_embed.weight" -> {
                            assertEquals(new Shape(5, 32), now.getShape());
                            assertEquals(0, maxDiff(now.get("0:4"), was), 0);
                            assertEquals(0, maxDiff(now.get("4"), was.get("3")), 0);
                        }
                        case "pos_1LC" -> {
                            assertEquals(new Shape(1, 66, 32), now.getShape());
                            assertEquals(0, maxDiff(now.get(":, 0:30"), was), 0);
                            // the 6x6 block is the 4x4 one, bicubic-upsampled as a [C, 4, 4] map
                            NDArray map = was.get(":, 14:30").transpose(0, 2, 1).reshape(1, 32, 4, 4);
                            NDArray up = Resampling.bicubic(map, 6, 6).reshape(1, 32, 36).transpose(0, 2, 1);
                            assertTrue(maxDiff(now.get(":, 30:66"), up) < 1e-6);
                        }
                        default -> assertEquals(0, maxDiff(now, was), 0, e.getKey());
                    }
                }
                assertEquals(p == PositionEncoding.ABSOLUTE, moved.namedParameters().containsKey("pos_1LC"));
            }
            StarTransformer base = new StarTransformer(StarConfig.of(32, 4, 32, 2, 4, 32, 1, 2, 3, 4));
            base.initialize(m, DataType.FLOAT32);
            assertThrows(IllegalArgumentException.class, () -> ScheduleTransfer.extend(base, new int[] {2, 3, 4}, m));
        }
    }

    @ParameterizedTest
    @EnumSource(PositionEncoding.class)
    void fineTuningAtALongerScheduleGeneratesLargerImages(PositionEncoding positions) throws Exception {
        Path base = tmp.resolve("base-" + positions);
        StarTraining.train(tiny(positions, 3), tokenizerDir, clipDir, base, tmp.resolve("base-work-" + positions), false);
        Path tuned = tmp.resolve("tuned-" + positions);
        int[] longer = {1, 2, 3, 4, 6};
        StarTraining.Result r = StarTraining.fineTuneAt(tiny(positions, 2).withEvaluation(1, 0), base, longer,
                tokenizerDir, clipDir, tuned, tmp.resolve("tuned-work-" + positions), false);
        assertEquals(2, r.steps());
        // the cost of the new schedule alone is measured before the first fine-tuning step
        assertTrue(Double.isFinite(r.validationBeforeTraining()) && r.validationBeforeTraining() > 0,
                "before " + r.validationBeforeTraining());
        assertTrue(Double.isFinite(r.validationLoss()));
        assertArrayEquals(longer, r.config().patchNums());
        assertEquals(positions, r.config().positions());
        assertTrue(Double.isFinite(r.finalLoss()));
        try (NDManager m = NDManager.newBaseManager();
                StarTextEncoder text = StarTextEncoder.fromPretrained(
                        tmp.resolve("tuned-work-" + positions).resolve("text_encoder"), clipDir, m)) {
            StarTransformer model = StarTransformer.fromPretrained(tuned, m);
            assertArrayEquals(longer, model.config().patchNums());
            MultiScaleVQTokenizer tok = MultiScaleVQTokenizer.fromPretrained(tokenizerDir, List.of(1, 2, 3, 4, 6), m);
            assertEquals(12, tok.config().imageSize());
            TextCondition cond = text.encode(List.of("a red circle"), m);
            TextCondition uncond = text.encode(List.of(""), m);
            try (StarSample s = new StarSampler(model, tok).sample(cond, uncond, SamplingOptions.defaults(3))) {
                assertEquals(new Shape(1, 3, 12, 12), s.images().getShape());
                assertEquals(new Shape(1, 36), s.ids().get(4).getShape());
            }
        }
        // the base model's folder is untouched: still the 64-px-style schedule
        try (NDManager m = NDManager.newBaseManager()) {
            assertArrayEquals(new int[] {1, 2, 3, 4}, StarTransformer.fromPretrained(base, m).config().patchNums());
        }
    }

    @Test
    void exportLoadGenerateRoundTrip() throws Exception {
        Path transformer = tmp.resolve("export-transformer");
        StarTraining.train(tiny(PositionEncoding.NORMALIZED_ROPE, 3), tokenizerDir, clipDir, transformer,
                tmp.resolve("export-work"), false);
        Path dir = StarExport.export(tokenizerDir, transformer, clipDir, tmp.resolve("star-world"),
                SamplingOptions.defaults(0).withCfg(2).withTopK(16));
        for (String f : List.of("model_index.json", "vq_tokenizer/config.json", "vq_tokenizer/model.safetensors",
                "transformer/config.json", "transformer/model.safetensors", "text_encoder/config.json",
                "text_encoder/model.safetensors", "tokenizer/tokenizer.json", "training/transformer_metrics.jsonl",
                "training/tokenizer_reconstructions.png")) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        }
        JsonObject index = JsonFiles.readObject(dir.resolve("model_index.json"), "index");
        assertEquals("StarPipeline", index.get("_class_name").getAsString());
        assertEquals(2.0, index.getAsJsonObject("sampling").get("cfg").getAsDouble());
        for (String f : List.of("vq_tokenizer/model.safetensors", "transformer/model.safetensors",
                "text_encoder/model.safetensors")) {
            assertAllF16(dir.resolve(f));
        }
        List<String> prompts = List.of("a red circle to the left of a blue square", "a big green star");
        List<BufferedImage> first;
        List<BufferedImage> again;
        try (StarPipeline pipe = StarPipeline.load(dir)) {
            assertEquals(8, pipe.imageSize());
            assertEquals(2.0, pipe.samplingDefaults().cfg());
            assertEquals(16, pipe.samplingDefaults().topK());
            first = pipe.generate(prompts, 7);
            again = pipe.generate(prompts, 7);
            // image i uses seed + i: the second prompt alone with seed 8 is the same image
            assertPixelsEqual(first.get(1), pipe.generate(List.of(prompts.get(1)), 8).get(0));
            assertFalse(pixelsEqual(first.get(0), pipe.generate(List.of(prompts.get(0)), 8).get(0)),
                    "another seed gives another image");
        }
        assertEquals(2, first.size());
        assertEquals(8, first.get(0).getWidth());
        assertPixelsEqual(first.get(0), again.get(0));
        assertPixelsEqual(first.get(1), again.get(1));
        try (StarPipeline reloaded = StarPipeline.load(dir)) {
            List<BufferedImage> other = reloaded.generate(prompts, 7);
            assertPixelsEqual(first.get(0), other.get(0));
            assertPixelsEqual(first.get(1), other.get(1));
            assertTrue(reloaded.name().contains("star-world"));
        }
        assertThrows(RuntimeException.class, () -> StarPipeline.load(tmp.resolve("world-clip")));
    }

    private static boolean pixelsEqual(BufferedImage a, BufferedImage b) {
        if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
            return false;
        }
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                if (a.getRGB(x, y) != b.getRGB(x, y)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static void assertPixelsEqual(BufferedImage a, BufferedImage b) {
        assertTrue(pixelsEqual(a, b), "images differ");
    }

    private static double maxDiff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    private static void assertAllF16(Path file) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String n : f.names()) {
                assertEquals(Dtype.F16, f.info(n).dtype(), n);
            }
        }
    }
}
