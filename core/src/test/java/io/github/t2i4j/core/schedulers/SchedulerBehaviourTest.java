package io.github.t2i4j.core.schedulers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.Golden;
import org.junit.jupiter.api.Test;

/** Properties of the schedulers beyond the golden trajectories. */
class SchedulerBehaviourTest {

    /** Stable Diffusion's schedule: scaled_linear 0.00085..0.012, steps_offset 1, no clipping. */
    private static SchedulerConfig sd(String className) {
        JsonObject o = new JsonObject();
        o.addProperty("_class_name", className);
        o.addProperty("beta_start", 0.00085);
        o.addProperty("beta_end", 0.012);
        o.addProperty("beta_schedule", "scaled_linear");
        o.addProperty("steps_offset", 1);
        o.addProperty("clip_sample", false);
        o.addProperty("set_alpha_to_one", false);
        return SchedulerConfig.fromJson(o);
    }

    private static double maxRel(NDArray expected, NDArray actual) {
        return Golden.maxAbsDiff(expected, actual) / expected.abs().max().toType(DataType.FLOAT64, false).getDouble();
    }

    // ---- v-prediction ------------------------------------------------------------------------

    /**
     * With a consistent pair (epsilon, v = velocity(x0, epsilon, t)) for x_t = addNoise(x0, epsilon, t),
     * the epsilon-model and the v-model take the same step.
     */
    private static void vPredictionMatchesEpsilon(String className) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x0 = NoiseSource.seeded(1).randn(m, new Shape(2, 4, 8, 8), DataType.FLOAT32);
            NDArray eps = NoiseSource.seeded(2).randn(m, new Shape(2, 4, 8, 8), DataType.FLOAT32);
            Scheduler epsSched = Schedulers.fromConfig(sd(className));
            Scheduler vSched = Schedulers.fromConfig(sd(className).with("prediction_type", "v_prediction"));
            epsSched.setTimesteps(10);
            vSched.setTimesteps(10);
            float t = epsSched.timesteps()[3];
            NDArray tt = m.create(new long[] {(long) t, (long) t});
            // DDIM/DPM-Solver: alpha space, sqrt(ac) x0 + sqrt(1 - ac) eps; Euler: sigma space, x0 + sigma eps
            NDArray sample = epsSched.addNoise(x0, eps, tt);
            NDArray v = vSched.velocity(x0, eps, tt);
            for (Scheduler s : new Scheduler[] {epsSched, vSched}) {
                if (s instanceof EulerDiscreteScheduler) {
                    s.setTimesteps(10);
                    s.scaleModelInput(sample, t); // sets the step index from t
                }
            }
            NDArray a = epsSched.step(eps, t, sample);
            NDArray b = vSched.step(v, t, sample);
            double rel = maxRel(a, b);
            assertTrue(rel < 2e-5, className + ": v-prediction step differs from epsilon by " + rel);
            // and a wrong v (the epsilon itself) would not pass
            vSched.setTimesteps(10);
            if (vSched instanceof EulerDiscreteScheduler) {
                vSched.scaleModelInput(sample, t);
            }
            assertTrue(maxRel(a, vSched.step(eps, t, sample)) > 1e-2);
        }
    }

    @Test
    void ddimVPrediction() {
        vPredictionMatchesEpsilon("DDIMScheduler");
    }

    @Test
    void eulerVPrediction() {
        vPredictionMatchesEpsilon("EulerDiscreteScheduler");
    }

    @Test
    void dpmVPrediction() {
        vPredictionMatchesEpsilon("DPMSolverMultistepScheduler");
    }

    @Test
    void ddimVPredictionKnownX0() {
        // DDIM, eta 0, one step at t with v-prediction: x_prev = sqrt(ac_prev) x0 + sqrt(1 - ac_prev) eps
        try (NDManager m = NDManager.newBaseManager()) {
            DDIMScheduler s = new DDIMScheduler(sd("DDIMScheduler").with("prediction_type", "v_prediction"));
            s.setTimesteps(10);
            float[] ac = s.alphasCumprod();
            NDArray x0 = NoiseSource.seeded(3).randn(m, new Shape(1, 4, 4, 4), DataType.FLOAT32);
            NDArray eps = NoiseSource.seeded(4).randn(m, new Shape(1, 4, 4, 4), DataType.FLOAT32);
            int t = 501;
            int prev = 401;
            NDArray tt = m.create(new long[] {t});
            NDArray xt = s.addNoise(x0, eps, tt);
            NDArray out = s.step(s.velocity(x0, eps, tt), t, xt);
            NDArray expected = x0.mul((float) Math.sqrt(ac[prev])).add(eps.mul((float) Math.sqrt(1 - ac[prev])));
            assertTrue(maxRel(expected, out) < 1e-5, "rel " + maxRel(expected, out));
        }
    }

    // ---- stochastic steps --------------------------------------------------------------------

    @Test
    void ddpmStepIsDeterministicForASeed() {
        try (NDManager m = NDManager.newBaseManager()) {
            DDPMScheduler s = new DDPMScheduler(sd("DDPMScheduler"));
            s.setTimesteps(10);
            NDArray x = NoiseSource.seeded(5).randn(m, new Shape(1, 4, 8, 8), DataType.FLOAT32);
            NDArray eps = NoiseSource.seeded(6).randn(m, new Shape(1, 4, 8, 8), DataType.FLOAT32);
            float t = s.timesteps()[2];
            NDArray a = s.step(eps, t, x, NoiseSource.seeded(42));
            NDArray b = s.step(eps, t, x, NoiseSource.seeded(42));
            NDArray c = s.step(eps, t, x, NoiseSource.seeded(43));
            assertArrayEquals(a.toFloatArray(), b.toFloatArray());
            assertFalse(java.util.Arrays.equals(a.toFloatArray(), c.toFloatArray()));
            // the noise is scaled by the fixed_small standard deviation
            float[] ac = s.alphasCumprod();
            int ti = (int) t;
            int prev = ti - 100;
            float variance = (1 - ac[prev]) / (1 - ac[ti]) * (1 - ac[ti] / ac[prev]);
            double std = a.sub(c).toType(DataType.FLOAT64, false).pow(2).mean().getDouble();
            assertEquals(2 * variance, std, 0.5 * 2 * variance); // Var(a - c) = 2 variance (256 samples)
            // no noise is drawn at t = 0, and none is needed
            NDArray last = s.step(eps, 0, x);
            assertEquals(x.getShape(), last.getShape());
            assertThrows(IllegalStateException.class, () -> s.step(eps, t, x));
        }
    }

    @Test
    void ddimWithEtaNeedsNoiseAndIsSeeded() {
        try (NDManager m = NDManager.newBaseManager()) {
            DDIMScheduler s = new DDIMScheduler(sd("DDIMScheduler")).setEta(1f);
            s.setTimesteps(10);
            NDArray x = NoiseSource.seeded(5).randn(m, new Shape(1, 4, 8, 8), DataType.FLOAT32);
            NDArray eps = NoiseSource.seeded(6).randn(m, new Shape(1, 4, 8, 8), DataType.FLOAT32);
            assertThrows(IllegalStateException.class, () -> s.step(eps, 501, x));
            assertArrayEquals(s.step(eps, 501, x, NoiseSource.seeded(7)).toFloatArray(),
                    s.step(eps, 501, x, NoiseSource.seeded(7)).toFloatArray());
        }
    }

    // ---- a perfect denoiser: every ODE solver lands on the known point --------------------------

    /**
     * With a model that predicts the noise of x_t = alpha x0 + sigma eps exactly, deterministic
     * solvers follow that path, so the final sample is alpha_last x0 + sigma_last eps.
     */
    private static void perfectDenoiser(Scheduler s, int steps, float finalSigma) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x0 = NoiseSource.seeded(11).randn(m, new Shape(1, 4, 8, 8), DataType.FLOAT32);
            NDArray eps = NoiseSource.seeded(12).randn(m, new Shape(1, 4, 8, 8), DataType.FLOAT32);
            s.setTimesteps(steps);
            float[] ts = s.timesteps();
            float[] sigmas = sigmasOf(s);
            NDArray x = s instanceof EulerDiscreteScheduler
                    ? x0.add(eps.mul(sigmas[0]))
                    : x0.mul(alpha(sigmas[0])).add(eps.mul(sigmas[0] * alpha(sigmas[0])));
            for (int i = 0; i < ts.length; i++) {
                NDArray in = s.scaleModelInput(x, ts[i]);
                float sg = sigmas[i];
                // in = alpha x0 + sigma_t eps (alpha space) for every scheduler
                NDArray modelOut = in.sub(x0.mul(alpha(sg))).div(sg * alpha(sg));
                x = s.step(modelOut, ts[i], x);
            }
            NDArray expected = x0.mul(s instanceof EulerDiscreteScheduler ? 1f : alpha(finalSigma))
                    .add(eps.mul(s instanceof EulerDiscreteScheduler ? finalSigma : finalSigma * alpha(finalSigma)));
            double rel = maxRel(expected, x);
            assertTrue(rel < 5e-5, s + ": final sample off by " + rel);
        }
    }

    private static float alpha(float sigma) {
        return 1f / (float) Math.sqrt(sigma * sigma + 1f);
    }

    private static float[] sigmasOf(Scheduler s) {
        if (s instanceof EulerDiscreteScheduler e) {
            return e.sigmas();
        }
        if (s instanceof DPMSolverMultistepScheduler d) {
            return d.sigmas();
        }
        float[] ac = s.alphasCumprod();
        float[] ts = s.timesteps();
        float[] sig = new float[ts.length];
        for (int i = 0; i < ts.length; i++) {
            float a = ac[(int) ts[i]];
            sig[i] = (float) Math.sqrt((1 - a) / a);
        }
        return sig;
    }

    private static float sigmaOfAc(float a) {
        return (float) Math.sqrt((1 - a) / a);
    }

    @Test
    void perfectDenoiserDdimAndEuler() {
        Scheduler ddim = Schedulers.fromConfig(sd("DDIMScheduler"));
        perfectDenoiser(ddim, 10, sigmaOfAc(ddim.alphasCumprod()[0])); // set_alpha_to_one false
        perfectDenoiser(Schedulers.fromConfig(sd("EulerDiscreteScheduler")), 10, 0f);
        perfectDenoiser(Schedulers.fromConfig(sd("EulerDiscreteScheduler").with("use_karras_sigmas", true)), 12, 0f);
        perfectDenoiser(Schedulers.fromConfig(sd("EulerDiscreteScheduler").with("timestep_spacing", "trailing")), 7, 0f);
    }

    @Test
    void perfectDenoiserDpmSolverVariants() {
        float sigmaMin = sigmaOfAc(Schedulers.fromConfig(sd("DDIMScheduler")).alphasCumprod()[0]);
        String[][] variants = {
            {},
            {"solver_type", "heun"},
            {"solver_order", "3"},
            {"solver_order", "1"},
            {"algorithm_type", "dpmsolver"},
            {"algorithm_type", "dpmsolver", "solver_type", "heun"},
            {"algorithm_type", "dpmsolver", "solver_order", "3"},
            {"lower_order_final", "false"},
            {"timestep_spacing", "trailing"},
            {"timestep_spacing", "leading"},
        };
        for (String[] kv : variants) {
            for (int steps : new int[] {10, 20}) {
                perfectDenoiser(Schedulers.fromConfig(withAll(sd("DPMSolverMultistepScheduler"), kv)), steps, sigmaMin);
            }
        }
        DPMSolverMultistepScheduler karras = new DPMSolverMultistepScheduler(
                sd("DPMSolverMultistepScheduler").with("use_karras_sigmas", true));
        karras.setTimesteps(10);
        float[] ks = karras.sigmas();
        assertEquals(ks[9], ks[10]); // diffusers 0.25 repeats the last Karras sigma
        perfectDenoiser(karras, 10, ks[10]);
        perfectDenoiser(new DPMSolverMultistepScheduler(
                sd("DPMSolverMultistepScheduler").with("final_sigmas_type", "zero")), 10, 0f);
        perfectDenoiser(new DPMSolverMultistepScheduler(
                sd("DPMSolverMultistepScheduler").with("use_lu_lambdas", true)), 10, sigmaMin);
    }

    private static SchedulerConfig withAll(SchedulerConfig c, String[] kv) {
        for (int i = 0; i < kv.length; i += 2) {
            String v = kv[i + 1];
            Object value = v.matches("\\d+") ? (Object) Integer.valueOf(v)
                    : v.equals("true") || v.equals("false") ? (Object) Boolean.valueOf(v) : v;
            c = c.with(kv[i], value);
        }
        return c;
    }

    @Test
    void sdeDpmSolverIsSeeded() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = NoiseSource.seeded(5).randn(m, new Shape(1, 4, 8, 8), DataType.FLOAT32);
            NDArray eps = NoiseSource.seeded(6).randn(m, new Shape(1, 4, 8, 8), DataType.FLOAT32);
            float[][] runs = new float[2][];
            for (int r = 0; r < 2; r++) {
                Scheduler s = Schedulers.fromConfig(sd("DPMSolverMultistepScheduler").with("algorithm_type", "sde-dpmsolver++"));
                s.setTimesteps(5);
                NoiseSource noise = NoiseSource.seeded(9);
                NDArray y = x;
                for (float t : s.timesteps()) {
                    y = s.step(eps, t, y, noise);
                }
                runs[r] = y.toFloatArray();
                for (float v : runs[r]) {
                    assertTrue(Float.isFinite(v));
                }
            }
            assertArrayEquals(runs[0], runs[1]);
        }
    }

    // ---- multistep state ----------------------------------------------------------------------

    @Test
    void setTimestepsResetsDpmSolverState() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x0 = NoiseSource.seeded(5).randn(m, new Shape(1, 4, 8, 8), DataType.FLOAT32);
            NDArray eps = NoiseSource.seeded(6).randn(m, new Shape(10, 1, 4, 8, 8), DataType.FLOAT32);
            Scheduler s = Schedulers.byName("dpm++2m", sd("DDIMScheduler"));
            float[][] results = new float[3][];
            for (int run = 0; run < 3; run++) {
                s.setTimesteps(10);
                NDArray x = x0;
                float[] ts = s.timesteps();
                int stop = run == 1 ? 4 : ts.length; // run 1 is abandoned half way
                for (int i = 0; i < stop; i++) {
                    x = s.step(eps.get(i).add(x.mul(0.1f)), ts[i], x);
                }
                results[run] = x.toFloatArray();
            }
            assertArrayEquals(results[0], results[2]);
            s.setTimesteps(3);
            NDArray x = x0;
            for (float t : s.timesteps()) {
                x = s.step(eps.get(0), t, x);
            }
            NDArray done = x;
            assertThrows(IllegalStateException.class, () -> s.step(eps.get(0), 0, done));
        }
    }

    @Test
    void stepWorksInsideCallerScopesAndSubManagers() {
        try (NDManager m = NDManager.newBaseManager()) {
            Scheduler s = Schedulers.byName("dpm++2m", sd("DDIMScheduler"));
            s.setTimesteps(5);
            NDArray x = NoiseSource.seeded(5).randn(m, new Shape(1, 4, 8, 8), DataType.FLOAT32);
            for (float t : s.timesteps()) {
                try (NDManager step = m.newSubManager()) {
                    NDArray xs = x.duplicate();
                    xs.attach(step);
                    NDArray out;
                    try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
                        out = s.step(xs.mul(0.5f), t, xs);
                        ai.djl.ndarray.NDScope.unregister(out);
                    }
                    x = out.duplicate();
                    x.attach(m);
                }
            }
            for (float v : x.toFloatArray()) {
                assertTrue(Float.isFinite(v));
            }
        }
    }

    // ---- timesteps as numpy computes them -------------------------------------------------------

    private static long[] longs(float[] f) {
        long[] l = new long[f.length];
        for (int i = 0; i < f.length; i++) {
            l[i] = (long) f[i];
        }
        return l;
    }

    @Test
    void timestepsMatchNumpy() {
        DPMSolverMultistepScheduler dpm = new DPMSolverMultistepScheduler(sd("DPMSolverMultistepScheduler"));
        dpm.setTimesteps(25); // linspace: 0.5 rounds to even (480, not 479 as in trailing)
        assertArrayEquals(new long[] {999, 959, 919, 879, 839, 799, 759, 719, 679, 639, 599, 559, 519, 480, 440,
            400, 360, 320, 280, 240, 200, 160, 120, 80, 40}, longs(dpm.timesteps()));
        dpm = new DPMSolverMultistepScheduler(sd("DPMSolverMultistepScheduler").with("timestep_spacing", "trailing"));
        dpm.setTimesteps(25);
        assertArrayEquals(new long[] {999, 959, 919, 879, 839, 799, 759, 719, 679, 639, 599, 559, 519, 479, 439,
            399, 359, 319, 279, 239, 199, 159, 119, 79, 39}, longs(dpm.timesteps()));
        dpm = new DPMSolverMultistepScheduler(sd("DPMSolverMultistepScheduler").with("timestep_spacing", "leading"));
        dpm.setTimesteps(25);
        assertArrayEquals(new long[] {951, 913, 875, 837, 799, 761, 723, 685, 647, 609, 571, 533, 495, 457, 419,
            381, 343, 305, 267, 229, 191, 153, 115, 77, 39}, longs(dpm.timesteps()));
        DDIMScheduler ddim = new DDIMScheduler(sd("DDIMScheduler").with("timestep_spacing", "trailing"));
        ddim.setTimesteps(30);
        assertArrayEquals(new long[] {999, 966, 932, 899, 866, 832, 799, 766, 732, 699, 666, 632, 599, 566, 532,
            499, 466, 432, 399, 366, 332, 299, 266, 232, 199, 166, 132, 99, 66, 32}, longs(ddim.timesteps()));
        ddim = new DDIMScheduler(sd("DDIMScheduler").with("timestep_spacing", "linspace"));
        ddim.setTimesteps(7);
        assertArrayEquals(new long[] {999, 832, 666, 500, 333, 166, 0}, longs(ddim.timesteps()));
        EulerDiscreteScheduler euler = new EulerDiscreteScheduler(sd("EulerDiscreteScheduler"));
        euler.setTimesteps(30); // fractional float32 timesteps
        int[] bits = {1148829696, 1148265295, 1147700895, 1147136494, 1146572094, 1146007693};
        for (int i = 0; i < bits.length; i++) {
            assertEquals(bits[i], Float.floatToIntBits(euler.timesteps()[i]), "euler timestep " + i);
        }
    }

    @Test
    void karrasSigmasMatchDiffusers() throws Exception {
        float[] ac;
        try (io.github.t2i4j.core.io.SafetensorsFile f = io.github.t2i4j.core.io.SafetensorsFile.open(
                        Golden.dir("schedulers").resolve("io.safetensors"));
                NDManager m = NDManager.newBaseManager()) {
            ac = f.load("euler.alphas_cumprod", m).toFloatArray();
        }
        // reference: numpy running diffusers 0.25's _convert_to_karras and _sigma_to_t on these alphas
        float[] sigmas = {14.614645004272461f, 9.102935791015625f, 5.478400707244873f, 3.1686108112335205f,
            1.7494229078292847f, 0.9140763878822327f, 0.44692087173461914f, 0.20139984786510468f,
            0.08191104978322983f, 0.029167532920837402f};
        float[] eulerT = {999.0f, 916.2839965820312f, 815.044921875f, 687.1532592773438f, 523.1989135742188f,
            327.147216796875f, 145.93902587890625f, 40.856868743896484f, 6.732409477233887f, 0.0f};
        EulerDiscreteScheduler euler = new EulerDiscreteScheduler(
                sd("EulerDiscreteScheduler").with("use_karras_sigmas", true).forClass("EulerDiscreteScheduler"), ac);
        euler.setTimesteps(10);
        float[] es = euler.sigmas();
        for (int i = 0; i < 10; i++) {
            assertEquals(sigmas[i], es[i], Math.ulp(sigmas[i]), "euler karras sigma " + i);
            assertEquals(eulerT[i], euler.timesteps()[i], 2e-4f, "euler karras timestep " + i);
        }
        assertEquals(0f, es[10]);
        DPMSolverMultistepScheduler dpm = new DPMSolverMultistepScheduler(
                sd("DPMSolverMultistepScheduler").with("use_karras_sigmas", true).forClass("DPMSolverMultistepScheduler"),
                ac);
        dpm.setTimesteps(10);
        assertArrayEquals(new long[] {999, 916, 815, 687, 523, 327, 146, 41, 7, 0}, longs(dpm.timesteps()));
        float[] ds = dpm.sigmas();
        for (int i = 0; i < 10; i++) {
            assertEquals(sigmas[i], ds[i], Math.ulp(sigmas[i]), "dpm karras sigma " + i);
        }
    }

    @Test
    void eulerInitNoiseSigmaDependsOnSpacing() {
        EulerDiscreteScheduler lin = new EulerDiscreteScheduler(sd("EulerDiscreteScheduler"));
        EulerDiscreteScheduler lead = new EulerDiscreteScheduler(
                sd("EulerDiscreteScheduler").with("timestep_spacing", "leading"));
        lin.setTimesteps(10);
        lead.setTimesteps(10);
        float max = lin.sigmas()[0];
        assertEquals(max, lin.initNoiseSigma());
        float maxLead = lead.sigmas()[0];
        assertEquals((float) Math.sqrt(maxLead * maxLead + 1f), lead.initNoiseSigma());
        assertEquals(1f, Schedulers.fromConfig(sd("DDIMScheduler")).initNoiseSigma());
    }

    // ---- other beta schedules and options -----------------------------------------------------

    @Test
    void otherBetaSchedules() {
        float[] cos = new DDIMScheduler(SchedulerConfig.defaults("DDIMScheduler")
                .with("beta_schedule", "squaredcos_cap_v2")).alphasCumprod();
        // numpy/torch reference values of the Glide cosine schedule
        assertEquals(0.99995869f, cos[0], 1e-7f);
        assertEquals(0.49228504f, cos[500], 1e-7f);
        assertEquals(2.4287350e-09f, cos[999], 1e-15f);
        float[] zsnr = new DDIMScheduler(sd("DDIMScheduler").with("rescale_betas_zero_snr", true)).alphasCumprod();
        assertEquals(0f, zsnr[999], 1e-12f); // zero terminal SNR
        float[] plain = new DDIMScheduler(sd("DDIMScheduler")).alphasCumprod();
        assertEquals(plain[0], zsnr[0], 1e-6f); // the first step is kept
        float[] eulerZsnr = new EulerDiscreteScheduler(sd("EulerDiscreteScheduler")
                .with("rescale_betas_zero_snr", true)).alphasCumprod();
        assertEquals(0x1p-24f, eulerZsnr[999]); // diffusers keeps Euler's largest sigma finite
        float[] sigmoid = new DDPMScheduler(SchedulerConfig.defaults("DDPMScheduler")
                .with("beta_schedule", "sigmoid")).alphasCumprod();
        assertTrue(sigmoid[0] < 1f && sigmoid[999] > 0f && sigmoid[999] < sigmoid[0]);
    }

    @Test
    void ddpmLearnedRangeSplitsTheModelOutput() {
        try (NDManager m = NDManager.newBaseManager()) {
            DDPMScheduler s = new DDPMScheduler(sd("DDPMScheduler").with("variance_type", "learned_range"));
            s.setTimesteps(10);
            NDArray x = NoiseSource.seeded(5).randn(m, new Shape(1, 3, 4, 4), DataType.FLOAT32);
            NDArray out = NoiseSource.seeded(6).randn(m, new Shape(1, 6, 4, 4), DataType.FLOAT32);
            NDArray prev = s.step(out, 501, x, NoiseSource.seeded(1));
            assertEquals(x.getShape(), prev.getShape());
            // frac = 0 (predicted variance -1) is the fixed_small_log variance
            NDArray eps = out.get(":, 0:3");
            NDArray minusOne = m.ones(new Shape(1, 3, 4, 4)).neg();
            NDArray learned = s.step(eps.concat(minusOne, 1), 501, x, NoiseSource.seeded(1));
            DDPMScheduler fixedLog = new DDPMScheduler(sd("DDPMScheduler").with("variance_type", "fixed_small_log"));
            fixedLog.setTimesteps(10);
            NDArray fixed = fixedLog.step(eps, 501, x, NoiseSource.seeded(1));
            assertTrue(maxRel(fixed, learned) < 1e-5);
        }
    }
}
