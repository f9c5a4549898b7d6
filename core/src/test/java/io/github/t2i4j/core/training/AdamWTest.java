package io.github.t2i4j.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.io.CheckpointException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdamWTest {

    /** A scalar parameter whose gradient is {@code g} after one backward of {@code g * w}. */
    private static void backward(Parameter w, float g) {
        GradientAccumulation.accumulate(1, i -> w.getArray().mul(g).sum());
    }

    private static Parameter scalar(NDManager m, String name, float value) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        NDArray a = m.create(new float[] {value});
        a.setRequiresGradient(true);
        p.setArray(a);
        return p;
    }

    @Test
    void matchesHandComputedTwoStepUpdate() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter w = scalar(m, "w", 1f);
            Parameter b = scalar(m, "bias", 1f);
            Map<String, Parameter> params = new LinkedHashMap<>();
            params.put("w", w);
            params.put("bias", b);
            AdamW opt =
                    AdamW.builder()
                            .betas(0.9, 0.999)
                            .eps(1e-8)
                            .weightDecay(0.01)
                            .noDecay(AdamW.biasesAndNorms())
                            .build(params);
            // lr 0.1, gradients 0.5 then -0.2. By hand (PyTorch's formula):
            // t=1: w = 1*(1-0.1*0.01) = 0.999; m = 0.05; v = 0.00025;
            //      w -= 0.1/0.1 * 0.05 / (sqrt(0.00025)/sqrt(0.001) + 1e-8) -> 0.899
            // t=2: w = 0.899*0.999 = 0.898101; m = 0.045-0.02 = 0.025; v = 0.00024975+0.00004;
            //      w -= 0.1/0.19 * 0.025 / (sqrt(0.00028975)/sqrt(0.001999) + 1e-8) -> 0.8635404
            // the bias is not decayed: 1 - 0.1 = 0.9, then 0.9 - 0.0345606 = 0.8654394
            opt.zeroGrad();
            backward(w, 0.5f);
            backward(b, 0.5f);
            opt.step(0.1);
            assertEquals(0.899, w.getArray().getFloat(), 1e-6);
            assertEquals(0.9, b.getArray().getFloat(), 1e-6);
            assertEquals(0.05, opt.expAvg("w").getFloat(), 1e-7);
            assertEquals(0.00025, opt.expAvgSq("w").getFloat(), 1e-9);
            opt.zeroGrad();
            backward(w, -0.2f);
            backward(b, -0.2f);
            opt.step(0.1);
            assertEquals(0.8635404181, w.getArray().getFloat(), 1e-6);
            assertEquals(0.8654394181, b.getArray().getFloat(), 1e-6);
            assertEquals(2, opt.stepCount());
            assertTrue(w.getArray().hasGradient(), "the parameter still takes gradients");
        }
    }

    @Test
    void stepDoesNotZeroAndZeroGradClearsNaN() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter w = scalar(m, "w", 1f);
            AdamW opt = AdamW.builder().build(Map.of("w", w));
            backward(w, 2f);
            opt.step(0.01);
            assertEquals(2f, w.getArray().getGradient().getFloat());
            backward(w, Float.NaN);
            assertTrue(Float.isNaN(w.getArray().getGradient().getFloat()));
            opt.zeroGrad();
            assertEquals(0f, w.getArray().getGradient().getFloat());
        }
    }

    @Test
    void aLearningRateScaleActsAsTheParameterGroupsOwnRate() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter w = scalar(m, "w", 1f);
            Parameter base = scalar(m, "base.w", 1f);
            Map<String, Parameter> params = new LinkedHashMap<>();
            params.put("w", w);
            params.put("base.w", base);
            AdamW opt = AdamW.builder().weightDecay(0.01)
                    .learningRateScale(name -> name.startsWith("base.") ? 0.1 : 1.0).build(params);
            opt.zeroGrad();
            backward(w, 0.5f);
            backward(base, 0.5f);
            opt.step(0.1);
            // the first Adam step moves by lr (the normalised moment is 1), decay by lr * 0.01
            assertEquals(1 * (1 - 0.1 * 0.01) - 0.1, w.getArray().getFloat(), 1e-6);
            assertEquals(1 * (1 - 0.01 * 0.01) - 0.01, base.getArray().getFloat(), 1e-6);
            assertThrows(IllegalArgumentException.class,
                    () -> AdamW.builder().learningRateScale(name -> -1).build(params));
        }
    }

    @Test
    void frozenParametersAreLeftOut() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter w = scalar(m, "w", 1f);
            Parameter f = scalar(m, "frozen", 1f);
            f.freeze(true);
            Map<String, Parameter> params = new LinkedHashMap<>();
            params.put("w", w);
            params.put("frozen", f);
            AdamW opt = AdamW.builder().build(params);
            assertEquals(1, opt.parameters().size());
            assertFalse(opt.parameters().containsKey("frozen"));
        }
    }

    @Test
    void stateRoundTripsByName(@TempDir Path dir) {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyMlp a = TinyMlp.create(m, 1);
            AdamW opt = AdamW.builder().build(a.namedParameters());
            for (int s = 0; s < 3; s++) {
                opt.zeroGrad();
                final int step = s;
                GradientAccumulation.accumulate(1, i -> a.loss(new MicroBatch(step, 0, 1, 7)));
                opt.step(1e-2);
            }
            Path file = dir.resolve("opt.safetensors");
            opt.save(file);
            TinyMlp b = TinyMlp.create(m, 2);
            AdamW restored = AdamW.builder().build(b.namedParameters());
            restored.load(file);
            assertEquals(3, restored.stepCount());
            for (String n : opt.parameters().keySet()) {
                assertTrue(opt.expAvg(n).contentEquals(restored.expAvg(n)), n);
                assertTrue(opt.expAvgSq(n).contentEquals(restored.expAvgSq(n)), n);
            }
            // a different model does not fit
            Parameter w = scalar(m, "w", 1f);
            AdamW other = AdamW.builder().build(Map.of("w", w));
            assertThrows(CheckpointException.class, () -> other.load(file));
        }
    }
}
