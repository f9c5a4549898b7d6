package io.github.t2i4j.star.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.star.model.StarBlock;
import io.github.t2i4j.star.model.StarTransformer;
import io.github.t2i4j.star.tokenizer.MultiScaleVQTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The sampler on a tiny random model: shapes, seeds, guidance off, greedy, memory. */
class StarSamplerTest {
    private static final Logger LOG = LoggerFactory.getLogger(StarSamplerTest.class);
    private static final int[] PNS = TinyStar.CONFIG.patchNums();

    private static long[][] ids(StarSample s) {
        return s.ids().stream().map(NDArray::toLongArray).toArray(long[][]::new);
    }

    private static void assertCacheOff(StarTransformer model) {
        for (StarBlock block : model.blocks()) {
            assertEquals(0, block.attn().cachedLength(), "KV cache left filled");
        }
    }

    @Test
    void shapesAndSeeds() {
        try (NDManager m = NDManager.newBaseManager()) {
            StarTransformer model = TinyStar.model(m);
            MultiScaleVQTokenizer tok = TinyStar.tokenizer(m);
            StarSampler sampler = new StarSampler(model, tok);
            TextCondition cond = TinyStar.text(m, 1, 2);
            TextCondition uncond = TinyStar.text(m, 9, 1);
            SamplingOptions o = new SamplingOptions(3.0, 20, 0.9, 1.0, 7);

            StarSample a = sampler.sample(cond, uncond, o);
            assertCacheOff(model);
            assertEquals(PNS.length, a.ids().size());
            for (int k = 0; k < PNS.length; k++) {
                NDArray idx = a.ids().get(k);
                assertEquals(new Shape(2, (long) PNS[k] * PNS[k]), idx.getShape());
                assertEquals(DataType.INT64, idx.getDataType());
                for (long id : idx.toLongArray()) {
                    assertTrue(id >= 0 && id < TinyStar.VOCAB, "id " + id);
                }
            }
            assertEquals(new Shape(2, TinyStar.CVAE, 4, 4), a.fhat().getShape());
            assertEquals(new Shape(2, 3, 8, 8), a.images().getShape());
            assertTrue(a.images().abs().max().getFloat() <= 1f);
            assertEquals(2, a.toImages().size());
            // the images decode the sampled ids
            assertTrue(tok.idxBlToImg(a.ids()).sub(a.images()).abs().max().getFloat() < 1e-5);

            StarSample same = sampler.sample(cond, uncond, o);
            assertTrue(Arrays.deepEquals(ids(a), ids(same)), "same seed, other ids");
            assertArrayEquals(a.images().toFloatArray(), same.images().toFloatArray());

            StarSample other = sampler.sample(cond, uncond, o.withSeed(8));
            assertFalse(Arrays.deepEquals(ids(a), ids(other)), "another seed, same ids");
            assertTrue(a.images().sub(other.images()).abs().max().getFloat() > 1e-3);

            // item 1 of the batch seeded 7 is the batch of one seeded 8
            StarSample alone = sampler.sample(TinyStar.item(cond, 1), uncond, o.withSeed(8));
            for (int k = 0; k < PNS.length; k++) {
                assertArrayEquals(a.ids().get(k).get("1:2").toLongArray(), alone.ids().get(k).toLongArray(), "scale " + k);
            }
            double pix = a.images().get("1:2").sub(alone.images()).abs().max().getFloat();
            LOG.info("item 1 of a batch vs alone: ids equal, pixels max abs diff {}", pix);
            assertTrue(pix < 1e-4, "pixels " + pix);
        }
    }

    @Test
    void withoutGuidanceTheUncondBatchIsNotNeeded() {
        try (NDManager m = NDManager.newBaseManager()) {
            StarTransformer model = TinyStar.model(m);
            StarSampler sampler = new StarSampler(model, TinyStar.tokenizer(m));
            TextCondition cond = TinyStar.text(m, 1, 2);
            SamplingOptions o = new SamplingOptions(0, 0, 0, 1.0, 3);
            List<Long> batches = new ArrayList<>();
            StarSample s = sampler.sample(cond, null, o, (k, logits) -> batches.add(logits.getShape().get(0)));
            assertEquals(List.of(2L, 2L, 2L, 2L), batches);
            assertEquals(new Shape(2, 3, 8, 8), s.images().getShape());
            // guidance 0 with an uncond batch draws the same tokens (it is never used)
            StarSample withUncond = sampler.sample(cond, TinyStar.text(m, 9, 1), o);
            assertTrue(Arrays.deepEquals(ids(s), ids(withUncond)));
            // guidance changes them
            StarSample guided = sampler.sample(cond, TinyStar.text(m, 9, 1), o.withCfg(4));
            assertFalse(Arrays.deepEquals(ids(s), ids(guided)));
            assertThrows(IllegalArgumentException.class, () -> sampler.sample(cond, null, o.withCfg(1)));
            assertCacheOff(model);
        }
    }

    @Test
    void greedyTakesTheArgmaxOfTheGuidedLogits() {
        try (NDManager m = NDManager.newBaseManager()) {
            StarSampler sampler = new StarSampler(TinyStar.model(m), TinyStar.tokenizer(m));
            TextCondition cond = TinyStar.text(m, 1, 2);
            List<long[]> argmax = new ArrayList<>();
            SamplingOptions o = new SamplingOptions(2, 0, 0, 0, 3);
            StarSample s = sampler.sample(cond, TinyStar.text(m, 9, 1), o,
                    (k, logits) -> argmax.add(logits.argMax(2).toLongArray()));
            for (int k = 0; k < PNS.length; k++) {
                assertArrayEquals(argmax.get(k), s.ids().get(k).toLongArray(), "scale " + k);
            }
            // no randomness: another seed gives the same ids
            assertTrue(Arrays.deepEquals(ids(s), ids(sampler.sample(cond, TinyStar.text(m, 9, 1), o.withSeed(4)))));
        }
    }

    @Test
    void aSamplingCallLeavesOnlyItsResults() {
        try (NDManager m = NDManager.newBaseManager()) {
            StarTransformer model = TinyStar.model(m);
            StarSampler sampler = new StarSampler(model, TinyStar.tokenizer(m));
            try (NDManager w = m.newSubManager()) {
                TextCondition cond = TinyStar.text(w, 1, 2);
                TextCondition uncond = TinyStar.text(w, 9, 1);
                SamplingOptions o = SamplingOptions.defaults(5).withTopK(10);
                sampler.sample(cond, uncond, o).close(); // warm-up: lazily made arrays
                int before = w.getManagedArrays().size();
                int beforeModel = m.getManagedArrays().size();
                StarSample s = sampler.sample(cond, uncond, o);
                int live = w.getManagedArrays().size() - before;
                LOG.info("arrays alive after a sampling call: {} (model's manager: {} -> {})",
                        live, beforeModel, m.getManagedArrays().size());
                assertEquals(PNS.length + 2, live, "ids of every scale, f-hat and images");
                s.close();
                assertEquals(before, w.getManagedArrays().size());
                assertEquals(beforeModel, m.getManagedArrays().size());
                assertCacheOff(model);
            }
        }
    }

    @Test
    void mismatchedTokenizerIsRejected() {
        try (NDManager m = NDManager.newBaseManager()) {
            MultiScaleVQTokenizer other = MultiScaleVQTokenizer.fromConfig(
                    TinyStar.tokenizerConfig().withPatchNums(List.of(1, 2, 4)));
            assertThrows(IllegalArgumentException.class, () -> new StarSampler(TinyStar.model(m), other));
        }
    }
}
