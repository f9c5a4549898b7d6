package io.github.t2i4j.star.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.tensor.HostArrays;
import io.github.t2i4j.star.model.StarTransformer;
import io.github.t2i4j.star.tokenizer.MultiScaleVQTokenizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The logits the sampler sees (one KV-cached forwardScale per scale, inputs built step by step from
 * the sampled codes) equal the teacher-forced training forward with the block-causal mask on the
 * sampled ids, scale by scale; with guidance, equal VAR's ramp applied to the two uncached passes.
 */
class CachedSamplingLogitsTest {
    private static final Logger LOG = LoggerFactory.getLogger(CachedSamplingLogitsTest.class);
    private static final int[] PNS = TinyStar.CONFIG.patchNums();
    private static final double TOL = 1e-4;

    /** Guided logits of every scale as the sampler saw them, [scale][B * pn^2 * V]. */
    private static List<float[]> sampleAndRecord(
            StarSampler sampler, TextCondition cond, TextCondition uncond, SamplingOptions o, List<NDArray> idsOut) {
        List<float[]> seen = new ArrayList<>();
        StarSample s = sampler.sample(cond, uncond, o, (k, logits) -> {
            assertEquals(new Shape(cond.batchSize(), (long) PNS[k] * PNS[k], TinyStar.VOCAB), logits.getShape());
            seen.add(logits.toFloatArray());
        });
        idsOut.addAll(s.ids());
        return seen;
    }

    private static NDArray logits(NDManager m, float[] values, int b, int k) {
        return HostArrays.owned(m.create(values, new Shape(b, (long) PNS[k] * PNS[k], TinyStar.VOCAB)));
    }

    /** The uncached teacher-forced logits of scale k, [B, pn^2, V]. */
    private static NDArray scaleOf(NDArray full, int k) {
        int from = 0;
        for (int i = 0; i < k; i++) {
            from += PNS[i] * PNS[i];
        }
        return full.get(":, " + from + ":" + (from + PNS[k] * PNS[k]) + ", :");
    }

    @Test
    void withoutGuidanceCachedLogitsEqualTheBlockCausalForward() {
        try (NDManager m = NDManager.newBaseManager()) {
            StarTransformer model = TinyStar.model(m);
            MultiScaleVQTokenizer tok = TinyStar.tokenizer(m);
            StarSampler sampler = new StarSampler(model, tok);
            TextCondition cond = TinyStar.text(m, 1, 3);
            List<NDArray> ids = new ArrayList<>();
            List<float[]> seen = sampleAndRecord(sampler, cond, null, new SamplingOptions(0, 0, 0, 1, 5), ids);

            NDArray inputs = tok.idxBlToVarInput(ids);
            NDArray full = model.forward(inputs, cond.sequence(), cond.keepMask(), cond.pooled());
            for (int k = 0; k < PNS.length; k++) {
                double err = scaleOf(full, k).sub(logits(m, seen.get(k), 3, k)).abs().max().getFloat();
                LOG.info("scale {}: cached vs block-causal logits max abs error {}", k, err);
                assertTrue(err <= TOL, "scale " + k + ": " + err);
            }
        }
    }

    @Test
    void withGuidanceCachedLogitsFollowTheRampOverBothUncachedPasses() {
        try (NDManager m = NDManager.newBaseManager()) {
            StarTransformer model = TinyStar.model(m);
            MultiScaleVQTokenizer tok = TinyStar.tokenizer(m);
            StarSampler sampler = new StarSampler(model, tok);
            TextCondition cond = TinyStar.text(m, 1, 2);
            TextCondition uncond = TinyStar.text(m, 9, 1);
            double cfg = 3;
            List<NDArray> ids = new ArrayList<>();
            List<float[]> seen = sampleAndRecord(sampler, cond, uncond, new SamplingOptions(cfg, 8, 0.9, 1, 5), ids);

            NDArray inputs = tok.idxBlToVarInput(ids);
            NDArray c = model.forward(inputs, cond.sequence(), cond.keepMask(), cond.pooled());
            NDArray u = model.forward(inputs, uncond.sequence().repeat(0, 2), uncond.keepMask().repeat(0, 2),
                    uncond.pooled().repeat(0, 2));
            double spread = 0;
            for (int k = 0; k < PNS.length; k++) {
                double t = cfg * k / (PNS.length - 1);
                NDArray expected = scaleOf(c, k).mul((float) (1 + t)).sub(scaleOf(u, k).mul((float) t));
                double err = expected.sub(logits(m, seen.get(k), 2, k)).abs().max().getFloat();
                spread = Math.max(spread, scaleOf(c, k).sub(scaleOf(u, k)).abs().max().getFloat());
                LOG.info("scale {} (t = {}): cached guided vs uncached logits max abs error {}", k, t, err);
                assertTrue(err <= TOL, "scale " + k + ": " + err);
            }
            // cond and uncond differ, so the ramp is really tested
            assertTrue(spread > 0.1, "cond and uncond logits nearly equal: " + spread);
        }
    }

    @Test
    void withoutTheCacheTheSamplerSeesTheSameLogitsAndDrawsTheSameCodes() {
        try (NDManager m = NDManager.newBaseManager()) {
            StarTransformer model = TinyStar.model(m);
            MultiScaleVQTokenizer tok = TinyStar.tokenizer(m);
            StarSampler cached = new StarSampler(model, tok);
            StarSampler uncached = cached.withKvCache(false);
            TextCondition cond = TinyStar.text(m, 1, 2);
            TextCondition uncond = TinyStar.text(m, 9, 1);
            SamplingOptions o = new SamplingOptions(3, 8, 0.9, 1, 5);
            List<NDArray> idsCached = new ArrayList<>();
            List<NDArray> idsUncached = new ArrayList<>();
            List<float[]> a = sampleAndRecord(cached, cond, uncond, o, idsCached);
            List<float[]> b = sampleAndRecord(uncached, cond, uncond, o, idsUncached);
            for (int k = 0; k < PNS.length; k++) {
                double err = logits(m, a.get(k), 2, k).sub(logits(m, b.get(k), 2, k)).abs().max().getFloat();
                LOG.info("scale {}: cached vs recomputed logits max abs error {}", k, err);
                assertTrue(err <= TOL, "scale " + k + ": " + err);
                assertEquals(idsCached.get(k), idsUncached.get(k), "codes of scale " + k);
            }
        }
    }
}
