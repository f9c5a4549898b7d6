package io.github.t2i4j.star.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.Golden;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The STAR transformer's training forward: shapes, names, and causality over scales. */
class StarTransformerTest {
    private static final Logger LOG = LoggerFactory.getLogger(StarTransformerTest.class);
    private static final StarConfig CONFIG = StarConfig.of(16, 4, 32, 2, 4, 24, 1, 2, 3);

    @Test
    void parametersCarrySTARsNames() {
        StarTransformer model = new StarTransformer(CONFIG);
        Map<String, ai.djl.ndarray.types.Shape> shapes = model.namedShapes();
        assertEquals(new Shape(1, 1, 32), shapes.get("pos_start"));
        assertEquals(new Shape(32, 4), shapes.get("word_embed.weight"));
        assertEquals(new Shape(3, 32), shapes.get("lvl_embed.weight"));
        assertEquals(new Shape(32, 24), shapes.get("encoder_proj.weight"));
        assertEquals(new Shape(96, 32), shapes.get("blocks.1.attn.mat_qkv.weight"));
        assertEquals(new Shape(1, 4, 1, 1), shapes.get("blocks.0.attn.scale_mul_1H11"));
        assertEquals(new Shape(64, 24), shapes.get("blocks.0.cross_attn.mat_kv.weight"));
        assertEquals(new Shape(32, 32), shapes.get("blocks.0.cross_attn.mat_q.weight"));
        assertEquals(new Shape(128, 32), shapes.get("blocks.0.ffn.fc1.weight"));
        assertEquals(new Shape(16, 32), shapes.get("head_logits.weight"));
        assertTrue(model.namedBuffers().contains("blocks.0.attn.zero_k_bias"));
        assertThrows(IllegalArgumentException.class, () -> StarConfig.of(16, 4, 24, 2, 4, 24, 1, 2));
    }

    @Test
    void logitsOfAScaleDoNotDependOnLaterScalesInputs() {
        try (NDManager m = NDManager.newBaseManager()) {
            StarTransformer model = new StarTransformer(CONFIG);
            model.initialize(m, DataType.FLOAT32);
            int b = 2;
            NDArray inputs = m.randomNormal(new Shape(b, 13, 4));
            NDArray text = m.randomNormal(new Shape(b, 5, 24));
            NDArray keep = m.create(new float[] {1, 1, 1, 0, 0, 1, 1, 1, 1, 1}, new Shape(b, 5));
            NDArray pooled = m.randomNormal(new Shape(b, 24));
            NDArray logits = model.forward(inputs, text, keep, pooled);
            assertEquals(new Shape(b, 14, 16), logits.getShape());

            // token t >= 1 is fed input t - 1; scale k (tokens [bk, ek)) may only see inputs < ek - 1
            int[] ends = {1, 5};
            for (int ek : ends) {
                NDArray changed = inputs.duplicate();
                changed.set(new NDIndex(":, " + (ek - 1) + ":"), m.randomNormal(new Shape(b, 14 - ek, 4)));
                NDArray other = model.forward(changed, text, keep, pooled);
                double before = Golden.maxAbsDiff(logits.get(":, :" + ek), other.get(":, :" + ek));
                double after = Golden.maxAbsDiff(logits.get(":, " + ek + ":"), other.get(":, " + ek + ":"));
                LOG.info("later inputs changed from token {}: earlier logits moved {}, later {}", ek, before, after);
                assertEquals(0.0, before, 1e-6);
                assertTrue(after > 1e-4, "later logits did not move: " + after);
            }
        }
    }

    @Test
    void kvCachedScaleByScaleLogitsEqualTheTrainingForward() {
        try (NDManager m = NDManager.newBaseManager()) {
            StarTransformer model = new StarTransformer(CONFIG);
            model.initialize(m, DataType.FLOAT32);
            int b = 2;
            NDArray inputs = m.randomNormal(new Shape(b, 13, 4));
            NDArray text = m.randomNormal(new Shape(b, 5, 24));
            NDArray keep = m.create(new float[] {1, 1, 0, 0, 0, 1, 1, 1, 1, 0}, new Shape(b, 5));
            NDArray pooled = m.randomNormal(new Shape(b, 24));
            NDArray full = model.forward(inputs, text, keep, pooled);

            NDArray textBias = CrossAttention.paddingBias(keep);
            model.kvCaching(true);
            ai.djl.ndarray.NDList outs = new ai.djl.ndarray.NDList();
            int from = 1;
            outs.add(model.forwardScale(0, null, text, textBias, pooled));
            for (int k = 1; k < 3; k++) {
                int n = CONFIG.patchNums()[k] * CONFIG.patchNums()[k];
                outs.add(model.forwardScale(k, inputs.get(":, " + (from - 1) + ":" + (from - 1 + n)), text, textBias, pooled));
                from += n;
            }
            model.kvCaching(false);
            NDArray cached = ai.djl.ndarray.NDArrays.concat(outs, 1);
            double err = Golden.maxAbsDiff(full, cached);
            LOG.info("KV-cached vs uncached logits: max abs error {}", err);
            assertTrue(err <= 1e-5, "max abs error " + err);
        }
    }

    @Test
    void configRoundTripsThroughJsonAndRejectsUnsupportedOptions() {
        assertEquals(CONFIG, StarConfig.fromJson(CONFIG.toJson()));
        StarConfig d = StarConfig.fromJson(new com.google.gson.JsonObject());
        assertEquals(10000, d.ropeTheta());
        assertEquals(64, d.ropeNorm());
        assertEquals(680, d.tokens());
        com.google.gson.JsonObject o = CONFIG.toJson();
        o.addProperty("shared_aln", true);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> StarConfig.fromJson(o));
        assertTrue(e.getMessage().contains("shared_aln"), e.getMessage());
        com.google.gson.JsonObject bad = CONFIG.toJson();
        bad.addProperty("depth", 1.5);
        assertThrows(IllegalArgumentException.class, () -> StarConfig.fromJson(bad));
    }
}
