package io.github.t2i4j.core.models.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.t2i4j.core.io.CheckpointException;
import io.github.t2i4j.core.io.StateDict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CLIPVisionModelTest {

    /** hidden 12, MLP 20, 2 layers, 3 heads, 8x8 images in 4x4 patches (2x2 grid), projection 5. */
    static CLIPVisionConfig tiny() {
        return new CLIPVisionConfig(12, 20, 2, 3, 8, 4, 3, "quick_gelu", 1e-5f, 5);
    }

    private static CLIPVisionModelWithProjection randomModel(NDManager m) {
        Engine.getInstance().setRandomSeed(7);
        CLIPVisionModelWithProjection model = new CLIPVisionModelWithProjection(tiny());
        model.initialize(m, DataType.FLOAT32);
        return model;
    }

    private static double diff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    @Test
    void parameterNamesAndShapesAreTransformers() {
        Map<String, String> expected = ClipNames.visionTransformer(12, 20, 2, 3, 4, 5);
        assertEquals(expected, ClipNames.of(new CLIPVisionModel(tiny())));
        expected.put("visual_projection.weight", "(5, 12)");
        assertEquals(expected, ClipNames.of(new CLIPVisionModelWithProjection(tiny())));
        // 5 + 2 * 16 + 2 parameters per tower
        assertEquals(39, new CLIPVisionModel(tiny()).namedParameters().size());
    }

    @Test
    void pooledOutputIsThePostLayerNormOfTheClassToken() {
        try (NDManager m = NDManager.newBaseManager()) {
            CLIPVisionModelWithProjection model = randomModel(m);
            NDArray pixels = m.randomUniform(-1f, 1f, new Shape(3, 3, 8, 8));
            CLIPVisionModelOutput out = model.forward(pixels);
            assertEquals(new Shape(3, 5, 12), out.lastHiddenState().getShape());
            assertEquals(new Shape(3, 12), out.poolerOutput().getShape());
            assertEquals(new Shape(3, 5), out.imageEmbeds().getShape());
            assertEquals(3, out.hiddenStates().size());
            assertEquals(0.0, diff(out.hiddenState(-1), out.lastHiddenState()), 0.0);

            // layer norm of the CLS token, by hand, with post_layernorm's weight and bias
            Map<String, ai.djl.nn.Parameter> p = model.namedParameters();
            NDArray cls = out.lastHiddenState().get(new NDIndex(":, 0, :"));
            NDArray mean = cls.mean(new int[] {1}, true);
            NDArray var = cls.sub(mean).square().mean(new int[] {1}, true);
            NDArray ln = cls.sub(mean).div(var.add(1e-5f).sqrt())
                    .mul(p.get("vision_model.post_layernorm.weight").getArray())
                    .add(p.get("vision_model.post_layernorm.bias").getArray());
            assertTrue(diff(ln, out.poolerOutput()) < 1e-5, "pooler vs hand LN: " + diff(ln, out.poolerOutput()));
            // the weights are not the identity: pooled differs from the raw CLS token
            assertTrue(diff(cls, out.poolerOutput()) > 1e-3);

            NDArray w = p.get("visual_projection.weight").getArray();
            assertTrue(diff(out.poolerOutput().matMul(w.transpose()), out.imageEmbeds()) < 1e-6);
        }
    }

    @Test
    void embeddingsPutTheClassTokenFirstAndPatchesInRowMajorOrder() {
        try (NDManager m = NDManager.newBaseManager()) {
            CLIPVisionModelWithProjection model = randomModel(m);
            CLIPVisionEmbeddings emb = model.visionModel().embeddings();
            NDArray pixels = m.randomUniform(-1f, 1f, new Shape(2, 3, 8, 8));
            NDArray tokens = emb.forward(pixels);
            assertEquals(new Shape(2, 5, 12), tokens.getShape());
            NDArray pos = emb.positionEmbedding().weight();
            NDArray w = emb.patchEmbedding().namedParameters().get("weight").getArray(); // [12, 3, 4, 4]
            for (int b = 0; b < 2; b++) {
                NDArray cls = emb.classEmbedding().add(pos.get(0));
                assertTrue(diff(cls, tokens.get(b, 0)) < 1e-6, "class token of image " + b);
                // patch (row r, column c) is token 1 + 2r + c: the dot product of the kernel with that patch
                for (int r = 0; r < 2; r++) {
                    for (int c = 0; c < 2; c++) {
                        NDArray patch = pixels.get(new NDIndex("{}, :, {}:{}, {}:{}", b, 4 * r, 4 * r + 4, 4 * c, 4 * c + 4));
                        NDArray byHand = w.mul(patch.expandDims(0)).sum(new int[] {1, 2, 3}).add(pos.get(1 + 2 * r + c));
                        assertTrue(diff(byHand, tokens.get(b, 1 + 2 * r + c)) < 1e-5, "patch " + r + "," + c);
                    }
                }
            }
            // hidden_states[0] is the embedding after pre_layrnorm
            CLIPVisionModelOutput out = model.forward(pixels);
            NDArray pre = model.visionModel().preLayrnorm().forward(tokens);
            assertTrue(diff(pre, out.hiddenState(0)) < 1e-6);
        }
    }

    @Test
    void attentionIsNotCausal() {
        try (NDManager m = NDManager.newBaseManager()) {
            CLIPVisionModelWithProjection model = randomModel(m);
            NDArray a = m.randomUniform(-1f, 1f, new Shape(1, 3, 8, 8));
            NDArray b = a.duplicate();
            b.set(new NDIndex("0, :, 4:8, 4:8"), 0.9f); // only the last patch changes
            CLIPVisionModelOutput oa = model.forward(a);
            CLIPVisionModelOutput ob = model.forward(b);
            // after one layer the class token (position 0) already sees the last patch
            assertTrue(diff(oa.hiddenState(1).get(new NDIndex("0, 0")), ob.hiddenState(1).get(new NDIndex("0, 0"))) > 1e-4);
            assertTrue(diff(oa.poolerOutput(), ob.poolerOutput()) > 1e-4);
        }
    }

    @Test
    void wrongImageSizeOrChannelsAreRejected() {
        try (NDManager m = NDManager.newBaseManager()) {
            CLIPVisionModelWithProjection model = randomModel(m);
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> model.forward(m.zeros(new Shape(1, 3, 16, 16))));
            assertTrue(e.getMessage().contains("[batch, 3, 8, 8]"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> model.forward(m.zeros(new Shape(1, 1, 8, 8))));
            assertThrows(IllegalArgumentException.class, () -> model.forward(m.zeros(new Shape(3, 8, 8))));
        }
    }

    @Test
    void configReadsTransformersKeysWithDefaults() {
        JsonObject o = JsonParser.parseString(
                "{\"hidden_size\": 64, \"image_size\": 32, \"patch_size\": 8, \"num_attention_heads\": 4,"
                        + " \"hidden_act\": \"gelu\", \"layer_norm_eps\": 1e-6, \"dropout\": 0.0}").getAsJsonObject();
        CLIPVisionConfig c = CLIPVisionConfig.fromJson(o);
        assertEquals(64, c.hiddenSize());
        assertEquals(3072, c.intermediateSize());
        assertEquals(12, c.numHiddenLayers());
        assertEquals(17, c.numPositions());
        assertEquals("gelu", c.hiddenAct());
        assertEquals(1e-6f, c.layerNormEps());
        assertEquals(512, c.projectionDim());
        assertEquals(c, CLIPVisionConfig.fromJson(c.toJson()));
        assertEquals(CLIPVisionConfig.defaults(), CLIPVisionConfig.fromJson(new JsonObject()));

        IllegalArgumentException act = assertThrows(IllegalArgumentException.class,
                () -> CLIPVisionConfig.fromJson(JsonParser.parseString("{\"hidden_act\": \"mish\"}").getAsJsonObject()));
        assertTrue(act.getMessage().contains("mish"));
        assertThrows(IllegalArgumentException.class,
                () -> CLIPVisionConfig.fromJson(JsonParser.parseString("{\"hidden_size\": 10, \"num_attention_heads\": 3}").getAsJsonObject()));
        assertThrows(IllegalArgumentException.class,
                () -> CLIPVisionConfig.fromJson(JsonParser.parseString("{\"patch_size\": \"big\"}").getAsJsonObject()));
        IllegalArgumentException full = assertThrows(IllegalArgumentException.class,
                () -> CLIPVisionConfig.fromJson(JsonParser.parseString("{\"vision_config\": {}, \"text_config\": {}}").getAsJsonObject()));
        assertTrue(full.getMessage().contains("CLIPConfig"));
    }

    @Test
    void savedCheckpointLoadsBackStrictly(@TempDir Path dir) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            CLIPVisionModelWithProjection model = randomModel(m);
            Files.writeString(dir.resolve("config.json"), tiny().toJson().toString());
            StateDict.save(model, dir.resolve("model.safetensors"));
            NDArray pixels = m.randomUniform(-1f, 1f, new Shape(2, 3, 8, 8));
            NDArray expected = model.forward(pixels).imageEmbeds();

            CLIPVisionModelWithProjection loaded = CLIPVisionModelWithProjection.fromPretrained(dir, m);
            assertEquals(0.0, diff(expected, loaded.forward(pixels).imageEmbeds()), 0.0);

            // a projection checkpoint is refused by CLIPVisionModel unless told to drop the projection
            CheckpointException e = assertThrows(CheckpointException.class, () -> CLIPVisionModel.fromPretrained(dir, m));
            assertTrue(e.getMessage().contains("visual_projection.weight"), e.getMessage());
            CLIPVisionModel plain = CLIPVisionModel.fromPretrained(dir, m, DataType.FLOAT32, true);
            assertEquals(0.0, diff(model.forward(pixels).poolerOutput(), plain.forward(pixels).poolerOutput()), 0.0);
        }
    }
}
