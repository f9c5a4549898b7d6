package io.github.t2i4j.star.sample;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.tensor.HostArrays;
import io.github.t2i4j.core.tensor.Noise;
import io.github.t2i4j.star.model.StarConfig;
import io.github.t2i4j.star.model.StarTransformer;
import io.github.t2i4j.star.tokenizer.MultiScaleVQTokenizer;
import io.github.t2i4j.star.tokenizer.VQVAEConfig;
import java.util.List;
import java.util.Map;

/**
 * A tiny random STAR model and tokenizer for sampler tests: scales 1,2,3,4 (30 tokens), 32 codes
 * of width 4, 8x8 images, width 32, 2 blocks, text of 5 tokens x 24.
 */
final class TinyStar {
    static final int VOCAB = 32;
    static final int CVAE = 4;
    static final int CROSS = 24;
    static final int TEXT_LEN = 5;
    static final StarConfig CONFIG = StarConfig.of(VOCAB, CVAE, 32, 2, 4, CROSS, 1, 2, 3, 4);

    private TinyStar() {}

    static VQVAEConfig tokenizerConfig() {
        JsonObject o = new JsonObject();
        o.addProperty("vocab_size", VOCAB);
        o.addProperty("z_channels", CVAE);
        o.addProperty("ch", 32);
        o.addProperty("num_res_blocks", 1);
        return VQVAEConfig.fromJson(o).withChMult(List.of(1, 1)).withPatchNums(List.of(1, 2, 3, 4));
    }

    /** The model with random weights, the zero-initialised biases made random too. */
    static StarTransformer model(NDManager m) {
        Engine.getInstance().setRandomSeed(11);
        StarTransformer model = new StarTransformer(CONFIG);
        model.initialize(m, DataType.FLOAT32);
        long seed = 100;
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            if (e.getKey().endsWith("_bias")) {
                NDArray a = e.getValue().getArray();
                a.set(new NDIndex(":"), Noise.gaussian(m, seed++, a.getShape()).mul(0.5f));
            }
        }
        return model;
    }

    static MultiScaleVQTokenizer tokenizer(NDManager m) {
        Engine.getInstance().setRandomSeed(12);
        MultiScaleVQTokenizer t = MultiScaleVQTokenizer.fromConfig(tokenizerConfig());
        t.initialize(m, DataType.FLOAT32);
        return t;
    }

    /** Random text features for {@code b} prompts; prompt i keeps its first 5 - (i % 3) tokens. */
    static TextCondition text(NDManager m, long seed, int b) {
        NDArray seq = Noise.gaussian(m, seed, new Shape(b, TEXT_LEN, CROSS));
        NDArray pooled = Noise.gaussian(m, seed + 1, new Shape(b, CROSS));
        float[] keep = new float[b * TEXT_LEN];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < TEXT_LEN - i % 3; j++) {
                keep[i * TEXT_LEN + j] = 1;
            }
        }
        return new TextCondition(seq, HostArrays.owned(m.create(keep, new Shape(b, TEXT_LEN))), pooled);
    }

    /** Item {@code i} of a conditioning, as a batch of one. */
    static TextCondition item(TextCondition c, int i) {
        String r = i + ":" + (i + 1);
        return new TextCondition(c.sequence().get(r), c.keepMask() == null ? null : c.keepMask().get(r), c.pooled().get(r));
    }
}
