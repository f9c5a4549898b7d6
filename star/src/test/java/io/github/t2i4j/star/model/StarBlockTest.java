package io.github.t2i4j.star.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.Golden;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** KV cache vs block-causal mask, key padding, and the L2-normalised attention's invariances. */
class StarBlockTest {
    private static final Logger LOG = LoggerFactory.getLogger(StarBlockTest.class);
    private static final int C = 32;
    private static final int HEADS = 4;
    private static final int CROSS = 24;
    private static final int[] SCALES = {1, 2, 3};

    /** A block with random weights, including the zero-initialised biases. */
    private static StarBlock block(NDManager m) {
        StarBlock block = new StarBlock(C, CROSS, HEADS, 4.0);
        block.initialize(m, DataType.FLOAT32);
        for (Map.Entry<String, Parameter> e : block.namedParameters().entrySet()) {
            if (e.getKey().endsWith("_bias")) {
                NDArray a = e.getValue().getArray();
                a.set(new NDIndex(":"), m.randomNormal(a.getShape()).mul(0.5f));
            }
        }
        return block;
    }

    @Test
    void kvCachedScaleByScaleEqualsBlockCausalFullPass() {
        try (NDManager m = NDManager.newBaseManager()) {
            StarBlock block = block(m);
            int l = 14;
            NDArray x = m.randomNormal(new Shape(2, l, C));
            NDArray text = m.randomNormal(new Shape(2, 5, CROSS));
            NDArray textBias =
                    CrossAttention.paddingBias(m.create(new float[] {1, 1, 1, 0, 0, 1, 1, 1, 1, 0}, new Shape(2, 5)));
            NormalizedRope2d.Tables rope = new NormalizedRope2d(C / HEADS, 100, 8).tables(m, SCALES);
            NDArray mask = BlockCausalMask.create(m, SCALES);
            NDArray full = block.forward(x, mask, text, textBias, rope);

            block.attn().kvCaching(true);
            NDList outs = new NDList();
            int from = 0;
            for (int pn : SCALES) {
                int to = from + pn * pn;
                outs.add(block.forward(x.get(":, " + from + ":" + to), null, text, textBias, rope.slice(from, to)));
                from = to;
            }
            assertTrue(block.attn().cachedLength() == l);
            block.attn().kvCaching(false);
            NDArray cached = NDArrays.concat(outs, 1);
            double err = Golden.maxAbsDiff(full, cached);
            LOG.info("KV-cached vs block-causal full pass: max abs error {}", err);
            assertTrue(err <= 1e-5, "max abs error " + err);

            // without the mask the first scales would see later ones: the comparison can fail
            NDArray unmasked = block.forward(x, null, text, textBias, rope);
            assertTrue(Golden.maxAbsDiff(unmasked, cached) > 1e-3);
        }
    }

    @Test
    void theTextCacheReusesTheSameTextAndEncodesAnotherAfresh() {
        try (NDManager m = NDManager.newBaseManager()) {
            CrossAttention attn = block(m).crossAttn();
            NDArray text = m.randomNormal(new Shape(2, 5, CROSS));
            NDArray other = m.randomNormal(new Shape(2, 5, CROSS));
            NDArray bias = CrossAttention.paddingBias(m.create(new float[] {1, 1, 1, 0, 0, 1, 1, 1, 1, 0}, new Shape(2, 5)));
            NDArray x1 = m.randomNormal(new Shape(2, 1, C));
            NDArray x2 = m.randomNormal(new Shape(2, 4, C));
            NDArray[] expected = {attn.forward(x1, text, bias), attn.forward(x2, text, bias), attn.forward(x2, other, bias)};
            attn.textCaching(true);
            try {
                Golden.assertClose("first call", expected[0], attn.forward(x1, text, bias), 0);
                Golden.assertClose("second call, cached text", expected[1], attn.forward(x2, text, bias), 0);
                Golden.assertClose("another text", expected[2], attn.forward(x2, other, bias), 0);
            } finally {
                attn.textCaching(false);
            }
            Golden.assertClose("cache off again", expected[1], attn.forward(x2, text, bias), 0);
        }
    }

    @Test
    void paddedTextPositionsAreIrrelevant() {
        try (NDManager m = NDManager.newBaseManager()) {
            StarBlock block = block(m);
            NDArray x = m.randomNormal(new Shape(2, 5, C));
            NDArray text = m.randomNormal(new Shape(2, 5, CROSS));
            NDArray keep = m.create(new float[] {1, 1, 1, 0, 0, 1, 1, 1, 1, 0}, new Shape(2, 5));
            NDArray textBias = CrossAttention.paddingBias(keep);
            NormalizedRope2d.Tables rope = new NormalizedRope2d(C / HEADS).tables(m, 1, 2);
            NDArray mask = BlockCausalMask.create(m, 1, 2);
            NDArray out = block.forward(x, mask, text, textBias, rope);

            NDArray changed = text.duplicate();
            changed.set(new NDIndex("0, 3:"), m.randomNormal(new Shape(2, CROSS)).mul(10f));
            changed.set(new NDIndex("1, 4:"), m.randomNormal(new Shape(1, CROSS)).mul(10f));
            double padErr = Golden.maxAbsDiff(out, block.forward(x, mask, changed, textBias, rope));
            LOG.info("changing padded text positions moves the output by {}", padErr);
            assertTrue(padErr == 0.0, "padded positions leaked: " + padErr);

            NDArray real = text.duplicate();
            real.set(new NDIndex("1, 3:4"), m.randomNormal(new Shape(1, CROSS)));
            NDArray moved = block.forward(x, mask, real, textBias, rope);
            assertTrue(Golden.maxAbsDiff(out.get("1"), moved.get("1")) > 1e-4, "a kept token changed nothing");
            Golden.assertClose("other batch element", out.get("0"), moved.get("0"), 0);
        }
    }

    @Test
    void l2NormalisedAttentionIgnoresTheScaleOfQAndK() {
        try (NDManager m = NDManager.newBaseManager()) {
            StarBlock block = block(m);
            SelfAttention attn = block.attn();
            CrossAttention cross = (CrossAttention) block.modules().get("cross_attn");
            NDArray x = m.randomNormal(new Shape(2, 5, C));
            NDArray text = m.randomNormal(new Shape(2, 4, CROSS));
            NormalizedRope2d.Tables rope = new NormalizedRope2d(C / HEADS).tables(m, 1, 2);
            NDArray before = attn.forward(x, null, rope);
            NDArray crossBefore = cross.forward(x, text, null);

            Map<String, Parameter> p = block.namedParameters();
            scale(p.get("attn.mat_qkv.weight"), "0:" + C, 3.5f);
            scale(p.get("attn.q_bias"), ":", 3.5f);
            scale(p.get("attn.mat_qkv.weight"), C + ":" + 2 * C, 0.2f);
            scale(p.get("cross_attn.mat_q.weight"), ":", 7f);
            scale(p.get("cross_attn.q_bias"), ":", 7f);
            scale(p.get("cross_attn.mat_kv.weight"), "0:" + C, 0.3f);
            double selfErr = Golden.maxAbsDiff(before, attn.forward(x, null, rope));
            double crossErr = Golden.maxAbsDiff(crossBefore, cross.forward(x, text, null));
            LOG.info("q/k scaled: self-attention moved {}, cross-attention {}", selfErr, crossErr);
            assertTrue(selfErr <= 1e-5 && crossErr <= 1e-5, selfErr + " / " + crossErr);

            // scaling v is not normalised away: the check can fail
            scale(p.get("attn.mat_qkv.weight"), 2 * C + ":", 2f);
            assertTrue(Golden.maxAbsDiff(before, attn.forward(x, null, rope)) > 1e-3);

            // the learned scale is clamped at log 100
            NDArray sm = p.get("attn.scale_mul_1H11").getArray();
            sm.set(new NDIndex(":"), (float) Math.log(100));
            NDArray at100 = attn.forward(x, null, rope);
            sm.set(new NDIndex(":"), (float) Math.log(1000));
            Golden.assertClose("clamped scale", at100, attn.forward(x, null, rope), 0);
        }
    }

    private static void scale(Parameter p, String rows, float f) {
        NDArray a = p.getArray();
        a.set(new NDIndex(rows), a.get(rows).mul(f));
    }
}
