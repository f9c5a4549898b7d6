package io.github.t2i4j.star.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.tensor.HostArrays;
import io.github.t2i4j.core.tensor.Noise;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** STAR's rotary_pos_emb=False: VAR's absolute table pos_1LC instead of RoPE, in training and cached sampling. */
class AbsolutePositionsTest {
    private static final StarConfig ROPE = StarConfig.of(16, 4, 32, 2, 4, 24, 1, 2, 3);
    private static final StarConfig ABS = ROPE.withPositions(PositionEncoding.ABSOLUTE);

    @Test
    void configSelectsThePositionsByStarsKey() {
        assertEquals(PositionEncoding.NORMALIZED_ROPE, ROPE.positions());
        assertTrue(ROPE.toJson().get("rotary_pos_emb").getAsBoolean());
        assertFalse(ABS.toJson().get("rotary_pos_emb").getAsBoolean());
        assertEquals(ABS, StarConfig.fromJson(ABS.toJson()));
        assertEquals(ROPE, StarConfig.fromJson(ROPE.toJson()));
        JsonObject o = ROPE.toJson();
        o.remove("rotary_pos_emb");
        assertEquals(PositionEncoding.NORMALIZED_ROPE, StarConfig.fromJson(o).positions());
        assertEquals(new Shape(1, 14, 32), new StarTransformer(ABS).namedShapes().get("pos_1LC"));
        assertFalse(new StarTransformer(ROPE).namedShapes().containsKey("pos_1LC"));
        assertNull(new StarTransformer(ABS).rope());
    }

    @Test
    void cachedScaleForwardEqualsTheBlockCausalForwardAndTheTableIsUsed() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            StarTransformer model = new StarTransformer(ABS);
            model.initialize(m, DataType.FLOAT32);
            int b = 2;
            NDArray inputs = Noise.gaussian(m, 1, new Shape(b, 13, 4));
            NDArray text = Noise.gaussian(m, 2, new Shape(b, 5, 24));
            NDArray keep = HostArrays.owned(m.create(new float[] {1, 1, 1, 0, 0, 1, 1, 1, 1, 1}, new Shape(b, 5)));
            NDArray pooled = Noise.gaussian(m, 3, new Shape(b, 24));
            NDArray full = model.forward(inputs, text, keep, pooled);
            NDArray bias = CrossAttention.paddingBias(keep);
            model.kvCaching(true);
            try {
                for (int k = 0; k < 3; k++) {
                    int from = model.scaleStart(k);
                    int to = model.scaleStart(k + 1);
                    NDArray in = k == 0 ? null : inputs.get(":, " + (from - 1) + ":" + (to - 1));
                    NDArray cached = model.forwardScale(k, in, text, bias, pooled);
                    double err = cached.sub(full.get(":, " + from + ":" + to)).abs().max().getFloat();
                    assertTrue(err < 1e-4, "scale " + k + ": " + err);
                }
            } finally {
                model.kvCaching(false);
            }
            // the table reaches the logits (a random change: LayerNorm hides a constant shift)
            NDArray table = model.namedParameters().get("pos_1LC").getArray();
            table.set(new NDIndex(":, 5:14"), table.get(":, 5:14").add(Noise.gaussian(m, 4, new Shape(1, 9, 32))));
            NDArray moved = model.forward(inputs, text, keep, pooled);
            double late = moved.sub(full).get(":, 5:").abs().max().getFloat();
            assertTrue(late > 1e-3, "later scale moved by " + late);
            double early = moved.sub(full).get(":, :5").abs().max().getFloat();
            assertTrue(early < 1e-6, "earlier scales moved by " + early);
        }
    }

    @Test
    void savedModelLoadsBack(@TempDir Path dir) {
        try (NDManager m = NDManager.newBaseManager()) {
            StarTransformer model = new StarTransformer(ABS);
            model.initialize(m, DataType.FLOAT32);
            model.save(dir, io.github.t2i4j.core.io.Dtype.F32);
            StarTransformer back = StarTransformer.fromPretrained(dir, m);
            assertEquals(ABS, back.config());
            for (String n : model.namedParameters().keySet()) {
                assertEquals(0, model.namedParameters().get(n).getArray()
                        .sub(back.namedParameters().get(n).getArray()).abs().max().getFloat(), 0, n);
            }
        }
    }
}
