package io.github.t2i4j.core.models.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.Golden;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.io.StateDict;
import io.github.t2i4j.core.nn.Init;
import io.github.t2i4j.core.nn.Linear;
import io.github.t2i4j.core.nn.Module;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The insertion point for GLIGEN- and SuTI-style layers, and the UNet's encoder-only path. */
class TokenFuserTest {

    /** Adds gate * (projected mean token) to every image token; the gate starts at zero. */
    static final class MeanTokenFuser extends Module implements TokenFuser {
        static final String KEY = "mean";
        final Linear proj;
        final Parameter gate;

        MeanTokenFuser(int tokenDim, int dim) {
            proj = module("proj", new Linear(tokenDim, dim));
            gate = param("gate", Parameter.Type.WEIGHT, Init.ZEROS, 1);
        }

        @Override
        public String tokensKey() {
            return KEY;
        }

        @Override
        public NDArray fuse(NDArray hidden, NDArray tokens) {
            NDArray mean = proj.forward(tokens.mean(new int[] {1}, true)); // [B, 1, dim]
            return hidden.add(mean.mul(gate.getArray()));
        }
    }

    private static UNet2DConditionModel sd(NDManager m) {
        var dir = Golden.dir("unet_sd");
        UNet2DConditionModel model = new UNet2DConditionModel(UNet2DConditionConfig.fromJson(dir.resolve("config.json")));
        try (SafetensorsFile w = SafetensorsFile.open(dir.resolve("weights.safetensors"))) {
            StateDict.loadFresh(model, w, m, DataType.FLOAT32);
        }
        return model;
    }

    @Test
    void transformerBlocksAreNamedByTheirCheckpointPrefix() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNet2DConditionModel model = sd(m);
            Map<String, BasicTransformerBlock> blocks = model.transformerBlocks();
            assertTrue(blocks.size() >= 3, blocks.keySet().toString());
            long attn1 = model.namedParameters().keySet().stream().filter(n -> n.endsWith(".attn1.to_q.weight")).count();
            assertEquals(attn1, blocks.size());
            blocks.forEach((name, block) -> {
                Shape q = model.namedShapes().get(name + ".attn1.to_q.weight");
                assertEquals(block.dim(), q.get(0), name);
            });
            assertTrue(blocks.keySet().stream().anyMatch(n -> n.startsWith("mid_block.")), blocks.keySet().toString());
        }
    }

    @Test
    void aZeroGatedFuserLeavesTheUNetUnchangedUntilItIsTrained() {
        try (NDManager m = NDManager.newBaseManager();
                SafetensorsFile io = SafetensorsFile.open(Golden.dir("unet_sd").resolve("io.safetensors"))) {
            UNet2DConditionModel model = sd(m);
            NDArray sample = io.load("sample", m);
            NDArray t = io.load("timestep", m);
            NDArray text = io.load("encoder_hidden_states", m);
            NDArray plain = model.forward(sample, t, text, null);

            String mid = model.transformerBlocks().keySet().stream().filter(n -> n.startsWith("mid_block.")).findFirst()
                    .orElseThrow();
            BasicTransformerBlock block = model.transformerBlocks().get(mid);
            MeanTokenFuser fuser = block.attachFuser(new MeanTokenFuser(5, block.dim()));
            fuser.initialize(m, DataType.FLOAT32);
            assertTrue(model.namedParameters().containsKey(mid + ".fuser.proj.weight"));
            assertThrows(IllegalStateException.class, () -> block.attachFuser(new MeanTokenFuser(5, block.dim())));

            long b = sample.getShape().get(0);
            NDArray tokens = m.randomNormal(new Shape(b, 3, 5));
            BlockConditioning cond = BlockConditioning.text(text).withTokens(MeanTokenFuser.KEY, tokens);
            assertEquals(0.0, Golden.maxAbsDiff(plain, model.forward(sample, t, cond, null)), 0.0);

            fuser.gate.getArray().set(new float[] {0.5f});
            double changed = Golden.maxAbsDiff(plain, model.forward(sample, t, cond, null));
            assertTrue(changed > 1e-4, "an open gate changes the prediction: " + changed);
            // without extra tokens, or with tokens only under another key, the fuser is skipped
            assertEquals(0.0, Golden.maxAbsDiff(plain, model.forward(sample, t, BlockConditioning.text(text), null)), 0.0);
            assertEquals(0.0, Golden.maxAbsDiff(plain, model.forward(sample, t,
                    BlockConditioning.text(text).withTokens("other", tokens), null)), 0.0);
        }
    }

    @Test
    void theEncoderPathEndsAtTheMidBlock() {
        try (NDManager m = NDManager.newBaseManager();
                SafetensorsFile io = SafetensorsFile.open(Golden.dir("unet_sd").resolve("io.safetensors"))) {
            UNet2DConditionModel model = sd(m);
            NDArray sample = io.load("sample", m);
            NDArray features = model.encode(sample, io.load("timestep", m),
                    BlockConditioning.text(io.load("encoder_hidden_states", m)), null);
            UNet2DConditionConfig c = model.config();
            int levels = c.blockOutChannels().size();
            long down = 1L << (levels - 1);
            assertEquals(new Shape(sample.getShape().get(0), c.blockOutChannels().get(levels - 1),
                    sample.getShape().get(2) / down, sample.getShape().get(3) / down), features.getShape());

            // every level: each down block's last state at its own resolution, then the same mid output
            NDList all = model.encodeLevels(sample, io.load("timestep", m),
                    BlockConditioning.text(io.load("encoder_hidden_states", m)), null);
            assertEquals(levels + 1, all.size());
            for (int i = 0; i < levels; i++) {
                long f = 1L << i;
                assertEquals(new Shape(sample.getShape().get(0), c.blockOutChannels().get(i),
                        sample.getShape().get(2) / f, sample.getShape().get(3) / f), all.get(i).getShape(), "level " + i);
            }
            assertEquals(0.0, Golden.maxAbsDiff(features, all.get(levels)), 0.0);
        }
    }
}
