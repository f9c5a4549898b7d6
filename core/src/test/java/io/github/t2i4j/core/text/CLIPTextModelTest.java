package io.github.t2i4j.core.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.t2i4j.core.Golden;
import io.github.t2i4j.core.io.SafetensorsFile;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class CLIPTextModelTest {
    private static final int EOS = 49;

    private static CLIPTextConfig tiny(int eos) {
        return new CLIPTextConfig(50, 16, 32, 2, 2, 8, "quick_gelu", 1e-5f, 8, 48, eos, eos);
    }

    private static CLIPTextModelWithProjection randomModel(NDManager m, int eos) {
        CLIPTextModelWithProjection model = new CLIPTextModelWithProjection(tiny(eos));
        model.initialize(m, DataType.FLOAT32);
        return model;
    }

    private static double diff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }

    @Test
    void poolsAtTheFirstEosToken() {
        try (NDManager m = NDManager.newBaseManager()) {
            // an EOS id (20) that is not the largest id, so "first EOS" differs from "argmax"
            CLIPTextModelWithProjection model = randomModel(m, 20);
            NDArray ids = m.create(new long[][] {
                {48, 45, 6, 20, 47, 20, 20, 20},
                {48, 5, 6, 7, 8, 9, 10, 20},
                {48, 20, 3, 20, 49, 20, 20, 20}});
            CLIPTextModelOutput out = model.forward(ids);
            long[] expected = {3, 7, 1};
            for (int b = 0; b < 3; b++) {
                NDArray want = out.lastHiddenState().get(new NDIndex("{}, {}, :", b, expected[b]));
                assertEquals(0.0, diff(want, out.poolerOutput().get(b)), 0.0, "row " + b);
            }
            // text_embeds = pooler_output @ W^T
            NDArray w = model.textProjection().namedParameters().get("weight").getArray();
            assertTrue(diff(out.poolerOutput().matMul(w.transpose()), out.textEmbeds()) < 1e-6);
        }
    }

    @Test
    void legacyEosIdTwoPoolsAtTheLargestId() {
        try (NDManager m = NDManager.newBaseManager()) {
            CLIPTextModelWithProjection model = randomModel(m, 2);
            // a legacy config says eos 2, but the tokenizer's EOS is the largest id (49 here)
            NDArray ids = m.create(new long[][] {{48, 2, 5, 49, 2, 2, 2, 2}});
            CLIPTextModelOutput out = model.forward(ids);
            NDArray want = out.lastHiddenState().get(new NDIndex("0, 3, :"));
            assertEquals(0.0, diff(want, out.poolerOutput().get(0)), 0.0);
        }
    }

    @Test
    void laterTokensDoNotChangeEarlierPositions() {
        try (NDManager m = NDManager.newBaseManager()) {
            CLIPTextModelWithProjection model = randomModel(m, EOS);
            NDArray a = m.create(new long[][] {{48, 5, 6, 7, 8, 9, EOS, EOS}});
            NDArray b = m.create(new long[][] {{48, 5, 6, 7, 8, 30, 31, EOS}});
            CLIPTextModelOutput oa = model.forward(a);
            CLIPTextModelOutput ob = model.forward(b);
            for (int k = 0; k < oa.hiddenStates().size(); k++) {
                NDArray ha = oa.hiddenState(k);
                NDArray hb = ob.hiddenState(k);
                assertEquals(0.0, diff(ha.get(":, :5, :"), hb.get(":, :5, :")), 1e-6, "layer " + k);
                assertTrue(diff(ha.get(":, 5:, :"), hb.get(":, 5:, :")) > 1e-4, "layer " + k + " sees the change");
            }
            assertEquals(0.0, diff(oa.lastHiddenState().get(":, :5, :"), ob.lastHiddenState().get(":, :5, :")), 1e-6);
        }
    }

    @Test
    void attentionMaskHidesPaddedKeys() {
        try (NDManager m = NDManager.newBaseManager()) {
            CLIPTextModelWithProjection model = randomModel(m, EOS);
            NDArray mask = m.create(new long[][] {{1, 1, 1, 1, 0, 0, 0, 0}});
            NDArray a = m.create(new long[][] {{48, 5, EOS, 7, 8, 9, 10, 11}});
            NDArray b = m.create(new long[][] {{48, 5, EOS, 7, 20, 21, 22, 23}});
            // without the mask, position 7 sees positions 4..6
            assertTrue(diff(model.forward(a).lastHiddenState().get(":, 7, :"),
                    model.forward(b).lastHiddenState().get(":, 7, :")) > 1e-4);
            // with it, padded keys are invisible: only the padded positions' own embeddings differ
            CLIPTextModelOutput oa = model.forward(a, mask);
            CLIPTextModelOutput ob = model.forward(b, mask);
            assertEquals(0.0, diff(oa.lastHiddenState().get(":, :4, :"), ob.lastHiddenState().get(":, :4, :")), 1e-6);
            assertEquals(0.0, diff(oa.poolerOutput(), ob.poolerOutput()), 1e-6);
            // a masked key at position 1 changes what position 3 sees
            NDArray mask2 = m.create(new long[][] {{1, 0, 1, 1, 1, 1, 1, 1}});
            assertTrue(diff(model.forward(a).lastHiddenState().get(":, 3, :"),
                    model.forward(a, mask2).lastHiddenState().get(":, 3, :")) > 1e-4);
        }
    }

    @Test
    void hiddenStateIndicesFollowPython() {
        try (NDManager m = NDManager.newBaseManager()) {
            CLIPTextModelWithProjection model = randomModel(m, EOS);
            CLIPTextModelOutput out = model.forward(m.create(new long[][] {{48, 5, EOS}}));
            assertEquals(3, out.hiddenStates().size());
            assertSame(out.hiddenStates().get(1), out.hiddenState(-2));
            assertSame(out.hiddenStates().get(1), out.penultimateHiddenState());
            assertSame(out.hiddenStates().get(2), out.hiddenState(-1));
            assertSame(out.hiddenStates().get(0), out.hiddenState(0));
            assertThrows(IndexOutOfBoundsException.class, () -> out.hiddenState(3));
            assertThrows(IndexOutOfBoundsException.class, () -> out.hiddenState(-4));
            // the final norm is applied to last_hidden_state only
            assertTrue(diff(out.hiddenState(-1), out.lastHiddenState()) > 1e-3);
            assertThrows(IllegalArgumentException.class,
                    () -> model.forward(m.zeros(new ai.djl.ndarray.types.Shape(1, 9), DataType.INT64)));
        }
    }

    @Test
    void parameterNamesAreTransformersNames() {
        CLIPTextConfig config = CLIPTextConfig.fromJson(Golden.dir("clip_text_gelu").resolve("config.json"));
        Set<String> names = new TreeSet<>(new CLIPTextModelWithProjection(config).namedParameters().keySet());
        try (SafetensorsFile f = SafetensorsFile.open(Golden.dir("clip_text_gelu").resolve("weights.safetensors"))) {
            assertEquals(new TreeSet<>(f.names()), names);
        }
        Set<String> plain = new CLIPTextModel(config).namedParameters().keySet();
        assertFalse(plain.contains("text_projection.weight"));
        assertTrue(plain.contains("text_model.encoder.layers.2.self_attn.q_proj.weight"));
        assertTrue(new CLIPTextModel(config).namedBuffers().contains("text_model.embeddings.position_ids"));
    }

    @Test
    void parsesARealConfigDumpAndDefaults() {
        // the SD 1.5 text_encoder/config.json as transformers writes it
        JsonObject sd15 = JsonParser.parseString("{"
                + "\"_name_or_path\": \"openai/clip-vit-large-patch14\", \"architectures\": [\"CLIPTextModel\"],"
                + "\"attention_dropout\": 0.0, \"bos_token_id\": 0, \"dropout\": 0.0, \"eos_token_id\": 2,"
                + "\"hidden_act\": \"quick_gelu\", \"hidden_size\": 768, \"initializer_factor\": 1.0,"
                + "\"initializer_range\": 0.02, \"intermediate_size\": 3072, \"layer_norm_eps\": 1e-05,"
                + "\"max_position_embeddings\": 77, \"model_type\": \"clip_text_model\","
                + "\"num_attention_heads\": 12, \"num_hidden_layers\": 12, \"pad_token_id\": 1,"
                + "\"projection_dim\": 768, \"torch_dtype\": \"float32\", \"transformers_version\": \"4.22.0.dev0\","
                + "\"vocab_size\": 49408}").getAsJsonObject();
        CLIPTextConfig c = CLIPTextConfig.fromJson(sd15);
        assertEquals(new CLIPTextConfig(49408, 768, 3072, 12, 12, 77, "quick_gelu", 1e-5f, 768, 0, 2, 1), c);
        assertEquals(64, c.headDim());

        CLIPTextConfig d = CLIPTextConfig.fromJson(new JsonObject());
        assertEquals(CLIPTextConfig.defaults(), d);
        assertEquals(49407, d.eosTokenId());
        assertEquals(49406, d.bosTokenId());
        assertEquals(1, d.padTokenId());

        JsonObject bad = sd15.deepCopy();
        bad.addProperty("hidden_act", "swiglu");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CLIPTextConfig.fromJson(bad));
        assertTrue(e.getMessage().contains("hidden_act") && e.getMessage().contains("swiglu"), e.getMessage());
        JsonObject bad2 = sd15.deepCopy();
        bad2.addProperty("num_attention_heads", 7);
        assertThrows(IllegalArgumentException.class, () -> CLIPTextConfig.fromJson(bad2));
    }
}
