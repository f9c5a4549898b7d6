package io.github.t2i4j.core.models.clip;

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
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.t2i4j.core.io.CheckpointException;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.io.SafetensorsWriter;
import io.github.t2i4j.core.text.BatchEncoding;
import io.github.t2i4j.core.text.CLIPTextConfig;
import io.github.t2i4j.core.text.CLIPTextModelOutput;
import io.github.t2i4j.core.text.CLIPTokenizer;
import io.github.t2i4j.core.text.WorldTokenizerBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CLIPModelTest {
    private static final int BOS = 18;
    private static final int EOS = 19;

    /** text: vocab 20, hidden 16, MLP 24, 2 layers, 2 heads, 8 positions; vision: see CLIPVisionModelTest; joint 10. */
    static CLIPConfig tiny() {
        CLIPTextConfig text = new CLIPTextConfig(20, 16, 24, 2, 2, 8, "quick_gelu", 1e-5f, 6, BOS, EOS, EOS);
        return new CLIPConfig(text, CLIPVisionModelTest.tiny(), 10, CLIPConfig.DEFAULT_LOGIT_SCALE_INIT);
    }

    private static CLIPModel randomModel(NDManager m, int seed) {
        Engine.getInstance().setRandomSeed(seed);
        CLIPModel model = new CLIPModel(tiny());
        model.initialize(m, DataType.FLOAT32);
        return model;
    }

    /** Random prompts: BOS, 1..5 tokens in [0, 18), EOS, EOS padding. */
    private static long[][] randomIds(Random r, int b) {
        long[][] ids = new long[b][8];
        for (int i = 0; i < b; i++) {
            int n = 1 + r.nextInt(5);
            ids[i][0] = BOS;
            for (int k = 1; k <= n; k++) {
                ids[i][k] = r.nextInt(18);
            }
            for (int k = n + 1; k < 8; k++) {
                ids[i][k] = EOS;
            }
        }
        return ids;
    }

    private static float[] randomPixels(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextFloat() * 2 - 1;
        }
        return x;
    }

    private static double diff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    @Test
    void parameterNamesAndShapesAreTransformers() {
        Map<String, String> expected = ClipNames.textTransformer(20, 16, 24, 2, 8);
        expected.putAll(ClipNames.visionTransformer(12, 20, 2, 3, 4, 5));
        expected.put("text_projection.weight", "(10, 16)");
        expected.put("visual_projection.weight", "(10, 12)");
        expected.put("logit_scale", "()");
        assertEquals(expected, ClipNames.of(new CLIPModel(tiny())));
    }

    @Test
    void logitScaleStartsAtLnOneOverPointZeroSeven() {
        try (NDManager m = NDManager.newBaseManager()) {
            CLIPModel model = randomModel(m, 1);
            assertEquals(new Shape(), model.logitScale().getShape());
            assertEquals(Math.log(1 / 0.07), model.logitScale().getFloat(), 1e-4);
            assertEquals(1 / 0.07, model.logitScaleExp(m).getFloat(), 2e-3);
        }
    }

    /** Sets the scalar logit_scale parameter. */
    private static void setLogitScale(CLIPModel model, float value) {
        model.logitScale().set(new NDIndex("..."), value);
    }

    @Test
    void lossOfATwoByTwoBatchEqualsTheHandComputedValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            CLIPModel model = randomModel(m, 1);
            NDArray t = m.create(new float[][] {{1, 0}, {0, 1}});
            NDArray i = m.create(new float[][] {{0.6f, 0.8f}, {1, 0}});
            // t @ i^T = [[0.6, 1], [0.8, 0]]
            for (double scale : new double[] {2.0, 1 / 0.07}) {
                setLogitScale(model, (float) Math.log(scale));
                double a = scale * 0.6;
                double b = scale * 1.0;
                double c = scale * 0.8;
                double d = 0.0;
                // rows: texts against images (targets 0, 1); columns: images against texts
                double row0 = -a + Math.log(Math.exp(a) + Math.exp(b));
                double row1 = -d + Math.log(Math.exp(c) + Math.exp(d));
                double col0 = -a + Math.log(Math.exp(a) + Math.exp(c));
                double col1 = -d + Math.log(Math.exp(b) + Math.exp(d));
                double expected = ((row0 + row1) / 2 + (col0 + col1) / 2) / 2;
                NDArray loss = model.contrastiveLoss(t, i);
                assertEquals(new Shape(), loss.getShape());
                assertEquals(expected, loss.getFloat(), 1e-5 * Math.max(1, expected), "scale " + scale);
            }
            // 2x2 at scale 2 in closed form: (log(1+e^0.8) + log(1+e^1.6) + log(1+e^0.4) + log(1+e^2)) / 4
            setLogitScale(model, (float) Math.log(2));
            double closed = (Math.log1p(Math.exp(0.8)) + Math.log1p(Math.exp(1.6)) + Math.log1p(Math.exp(0.4))
                    + Math.log1p(Math.exp(2))) / 4;
            assertEquals(closed, model.contrastiveLoss(t, i).getFloat(), 1e-5);
        }
    }

    @Test
    void hardNegativeLossOfATwoByTwoBatchEqualsTheHandComputedValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            CLIPModel model = randomModel(m, 1);
            NDArray t = m.create(new float[][] {{1, 0}, {0, 1}});
            NDArray i = m.create(new float[][] {{0.6f, 0.8f}, {1, 0}});
            NDArray neg = m.create(new float[][] {{0, 1}, {-1, 0}});
            double s = 2.0;
            setLogitScale(model, (float) Math.log(s));
            // images against the four captions: i @ [t; neg]^T = [[0.6, 0.8, 0.8, -0.6], [1, 0, 0, -1]]
            double img0 = -s * 0.6 + Math.log(Math.exp(s * 0.6) + Math.exp(s * 0.8) + Math.exp(s * 0.8) + Math.exp(-s * 0.6));
            double img1 = -0.0 + Math.log(Math.exp(s) + 1 + 1 + Math.exp(-s));
            // captions against the two images, as without negatives: t @ i^T = [[0.6, 1], [0.8, 0]]
            double txt0 = -s * 0.6 + Math.log(Math.exp(s * 0.6) + Math.exp(s));
            double txt1 = -0.0 + Math.log(Math.exp(s * 0.8) + 1);
            double expected = ((img0 + img1) / 2 + (txt0 + txt1) / 2) / 2;
            assertEquals(expected, model.contrastiveLoss(t, i, neg).getFloat(), 1e-5);
            // a negative equal to the image's own caption is a tie, not a free win: the loss rises
            assertTrue(model.contrastiveLoss(t, i, t).getFloat() > model.contrastiveLoss(t, i).getFloat());
            assertThrows(IllegalArgumentException.class, () -> model.contrastiveLoss(t, i, neg.get("0:1")));
        }
    }

    @Test
    void logitScaleIsCappedAtOneHundred() {
        try (NDManager m = NDManager.newBaseManager()) {
            CLIPModel model = randomModel(m, 1);
            NDArray t = m.create(new float[][] {{1, 0}, {0, 1}});
            NDArray i = m.create(new float[][] {{0.6f, 0.8f}, {1, 0}});
            setLogitScale(model, (float) Math.log(100));
            float at100 = model.contrastiveLoss(t, i).getFloat();
            setLogitScale(model, 10f); // e^10 unclamped
            assertEquals(100f, model.logitScaleExp(m).getFloat(), 1e-3);
            assertEquals(at100, model.contrastiveLoss(t, i).getFloat(), 1e-6);
            assertArrayEquals(new float[] {60, 100, 80, 0},
                    model.logitsPerText(t, i).toFloatArray(), 1e-3f);
        }
    }

    @Test
    void perfectlyMatchedPairsGiveALowerLossThanShuffledOnes() {
        try (NDManager m = NDManager.newBaseManager()) {
            CLIPModel model = randomModel(m, 1);
            NDArray e = CLIPModel.normalize(m.randomNormal(new Shape(4, 10)));
            NDArray shuffled = e.get(m.create(new long[] {1, 2, 3, 0}));
            assertTrue(model.contrastiveLoss(e, e).getFloat() < model.contrastiveLoss(e, shuffled).getFloat());
            assertThrows(IllegalArgumentException.class, () -> model.contrastiveLoss(e, e.get("0:3")));
        }
    }

    @Test
    void encodersReturnUnitVectorsAndForwardMatchesThem() {
        try (NDManager m = NDManager.newBaseManager()) {
            CLIPModel model = randomModel(m, 3);
            Random r = new Random(3);
            NDArray ids = m.create(randomIds(r, 3));
            NDArray images = m.create(randomPixels(r, 3 * 3 * 8 * 8), new Shape(3, 3, 8, 8));
            NDArray te = model.encodeText(ids);
            NDArray ie = model.encodeImage(images);
            assertEquals(new Shape(3, 10), te.getShape());
            assertEquals(new Shape(3, 10), ie.getShape());
            assertArrayEquals(new float[] {1, 1, 1}, te.square().sum(new int[] {1}).toFloatArray(), 1e-5f);
            assertArrayEquals(new float[] {1, 1, 1}, ie.square().sum(new int[] {1}).toFloatArray(), 1e-5f);
            // encodeText = normalised projection of the text tower's pooled (EOS) output
            NDArray features = model.getTextFeatures(ids, null);
            assertTrue(diff(CLIPModel.normalize(features), te) < 1e-6);

            CLIPOutput out = model.forward(ids, null, images, true);
            assertTrue(diff(te, out.textEmbeds()) < 1e-6);
            assertTrue(diff(ie, out.imageEmbeds()) < 1e-6);
            assertTrue(diff(out.logitsPerText().transpose(), out.logitsPerImage()) < 1e-6);
            assertEquals(model.contrastiveLoss(te, ie).getFloat(), out.loss().getFloat(), 1e-5);
            assertTrue(out.textModelOutput() != null && out.visionModelOutput() != null);
            assertEquals(null, model.forward(ids, null, images, false).loss());
        }
    }

    @Test
    void saveThenFromPretrainedGivesIdenticalEmbeddings(@TempDir Path dir) {
        try (NDManager m = NDManager.newBaseManager()) {
            CLIPModel model = randomModel(m, 5);
            setLogitScale(model, 3.5f);
            model.setImageProcessor(CLIPImageProcessor.openai());
            Random r = new Random(5);
            NDArray ids = m.create(randomIds(r, 2));
            NDArray images = m.create(randomPixels(r, 2 * 3 * 8 * 8), new Shape(2, 3, 8, 8));
            model.save(dir);
            assertTrue(Files.isRegularFile(dir.resolve("config.json")));
            assertTrue(Files.isRegularFile(dir.resolve("preprocessor_config.json")));

            CLIPModel loaded = CLIPModel.fromPretrained(dir, m);
            assertEquals(model.config(), loaded.config());
            assertArrayEquals(CLIPImageProcessor.OPENAI_CLIP_STD, loaded.imageProcessor().imageStd(), 0);
            assertEquals(0.0, diff(model.encodeText(ids), loaded.encodeText(ids)), 0.0);
            assertEquals(0.0, diff(model.encodeImage(images), loaded.encodeImage(images)), 0.0);
            assertEquals(3.5f, loaded.logitScale().getFloat(), 0f);
            try (SafetensorsFile st = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
                assertEquals(new Shape(), st.info("logit_scale").shape());
                assertEquals(model.namedParameters().keySet(), st.names());
            }
        }
    }

    @Test
    void fromPretrainedIsStrict(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            CLIPModel model = randomModel(m, 5);
            tiny().save(dir);
            SafetensorsWriter w = new SafetensorsWriter();
            model.namedParameters().forEach((n, p) -> {
                if (!n.equals("logit_scale")) {
                    w.add(n, p.getArray());
                }
            });
            w.add("text_model.embeddings.position_ids", m.arange(0, 8, 1, DataType.INT64).reshape(1, 8));
            w.add("vision_model.embeddings.position_ids", m.arange(0, 5, 1, DataType.INT64).reshape(1, 5));
            w.write(dir.resolve("model.safetensors"));
            CheckpointException e = assertThrows(CheckpointException.class, () -> CLIPModel.fromPretrained(dir, m));
            assertTrue(e.getMessage().contains("logit_scale"), e.getMessage());
            assertFalse(e.getMessage().contains("position_ids"), "position_ids buffers are accepted: " + e.getMessage());
        }
    }

    @Test
    void configRoundTripsAndMergesLegacyDicts() {
        CLIPConfig c = tiny();
        assertEquals(c, CLIPConfig.fromJson(c.toJson()));
        JsonObject o = JsonParser.parseString(
                "{\"model_type\": \"clip\", \"projection_dim\": 768,"
                        + " \"text_config\": {\"hidden_size\": 768, \"num_attention_heads\": 12},"
                        + " \"text_config_dict\": {\"hidden_size\": 1024, \"num_attention_heads\": 16},"
                        + " \"vision_config\": null,"
                        + " \"vision_config_dict\": {\"hidden_size\": 1024, \"patch_size\": 14, \"num_attention_heads\": 16}}")
                .getAsJsonObject();
        CLIPConfig legacy = CLIPConfig.fromJson(o);
        assertEquals(1024, legacy.textConfig().hiddenSize());
        assertEquals(16, legacy.textConfig().numAttentionHeads());
        assertEquals(14, legacy.visionConfig().patchSize());
        assertEquals(768, legacy.projectionDim());
        assertEquals(2.6592f, legacy.logitScaleInitValue());
        assertThrows(IllegalArgumentException.class,
                () -> CLIPConfig.fromJson(JsonParser.parseString("{\"hidden_size\": 512}").getAsJsonObject()));
        assertThrows(IllegalArgumentException.class,
                () -> CLIPConfig.fromJson(JsonParser.parseString("{\"model_type\": \"siglip\"}").getAsJsonObject()));
    }

    @Test
    void worldTokenizerFeedsTheTextTower(@TempDir Path dir) {
        WorldTokenizerBuilder words = new WorldTokenizerBuilder(
                List.of("a", "red", "blue", "circle", "square", "left", "of", "the")).modelMaxLength(8);
        words.write(dir);
        CLIPConfig config = new CLIPConfig(
                words.textConfig(16, 24, 2, 2, "quick_gelu", 6), CLIPVisionModelTest.tiny(), 10, 2.6592f);
        try (NDManager m = NDManager.newBaseManager(); CLIPTokenizer tok = CLIPTokenizer.fromPretrained(dir)) {
            Engine.getInstance().setRandomSeed(2);
            CLIPModel model = new CLIPModel(config);
            model.initialize(m, DataType.FLOAT32);
            BatchEncoding enc = tok.encode(List.of("a red circle", "the blue square left of a red circle"));
            NDArray ids = enc.inputIds(m);
            CLIPTextModelOutput out = model.textModel().forward(ids, enc.attentionMask(m));
            // pooled at each row's EOS: BOS + 3 words puts it at 4; the 8-word prompt is cut to 6 words, EOS at 7
            assertEquals(2, enc.droppedTokens()[1]);
            assertTrue(diff(out.lastHiddenState().get(new NDIndex("0, 4, :")), out.poolerOutput().get(0)) == 0);
            assertTrue(diff(out.lastHiddenState().get(new NDIndex("1, 7, :")), out.poolerOutput().get(1)) == 0);
            assertEquals(new Shape(2, 10), model.encodeText(ids, enc.attentionMask(m)).getShape());
        }
    }

    @Test
    void gradientsReachBothTowersAndTheTemperature() {
        try (NDManager m = NDManager.newBaseManager()) {
            CLIPModel model = randomModel(m, 11);
            Random r = new Random(11);
            NDArray ids = m.create(randomIds(r, 4));
            NDArray images = m.create(randomPixels(r, 4 * 3 * 8 * 8), new Shape(4, 3, 8, 8));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = model.contrastiveLoss(model.encodeText(ids), model.encodeImage(images));
                gc.backward(loss);
            }
            for (String name : new String[] {
                "text_model.embeddings.token_embedding.weight",
                "text_model.embeddings.position_embedding.weight",
                "text_model.encoder.layers.0.self_attn.q_proj.weight",
                "text_model.final_layer_norm.weight",
                "text_projection.weight",
                "vision_model.embeddings.class_embedding",
                "vision_model.embeddings.patch_embedding.weight",
                "vision_model.embeddings.position_embedding.weight",
                "vision_model.pre_layrnorm.weight",
                "vision_model.encoder.layers.0.self_attn.q_proj.weight",
                "vision_model.encoder.layers.1.mlp.fc2.weight",
                "vision_model.post_layernorm.weight",
                "visual_projection.weight",
                "logit_scale"}) {
                NDArray g = model.namedParameters().get(name).getArray().getGradient();
                float sum = g.abs().sum().getFloat();
                assertTrue(sum > 0 && Float.isFinite(sum), "gradient of " + name + ": " + sum);
            }
        }
    }

    @Test
    void adamStepsReduceTheLossOnAFixedBatch() {
        try (NDManager m = NDManager.newBaseManager()) {
            CLIPModel model = randomModel(m, 42);
            Random r = new Random(42);
            long[][] ids = randomIds(r, 6);
            float[] pixels = randomPixels(r, 6 * 3 * 8 * 8);
            Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(3e-3f)).build();
            float first = Float.NaN;
            float last = Float.NaN;
            for (int step = 0; step <= 15; step++) {
                try (NDManager s = m.newSubManager()) {
                    NDArray idArray = s.create(ids);
                    NDArray images = s.create(pixels, new Shape(6, 3, 8, 8));
                    NDArray loss;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        loss = model.contrastiveLoss(model.encodeText(idArray), model.encodeImage(images));
                        gc.backward(loss);
                    }
                    float value = loss.getFloat();
                    if (step == 0) {
                        first = value;
                    }
                    last = value;
                    if (step == 15) {
                        break; // the last loss is measured, not stepped from
                    }
                    for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
                        NDArray w = e.getValue().getArray();
                        try (NDArray g = w.getGradient()) {
                            adam.update(e.getKey(), w, g);
                        }
                    }
                }
            }
            // ln(6) ~ 1.79 is the loss of uninformative logits; a batch of 6 can be memorised
            assertTrue(Float.isFinite(first) && Float.isFinite(last));
            org.slf4j.LoggerFactory.getLogger(CLIPModelTest.class).info("Adam: loss {} -> {}", first, last);
            assertTrue(last < 0.5f * first, "loss " + first + " -> " + last);
        }
    }
}
