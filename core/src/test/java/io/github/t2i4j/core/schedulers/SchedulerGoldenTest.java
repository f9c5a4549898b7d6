package io.github.t2i4j.core.schedulers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.github.t2i4j.core.Golden;
import io.github.t2i4j.core.io.SafetensorsFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the schedulers against diffusers 0.25.1 (the {@code schedulers} golden case): timesteps
 * exactly, alphas_cumprod and the 10-step trajectories to 1e-6 of the reference's largest
 * magnitude, and DDPM's {@code add_noise}.
 */
class SchedulerGoldenTest {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulerGoldenTest.class);
    private static final double REL_TOL = 1e-6;

    private static Path dir() {
        return Golden.dir("schedulers");
    }

    /** DDPM has no config file in the golden case: diffusers' DDPMScheduler with the same betas. */
    private static SchedulerConfig ddpmConfig() {
        com.google.gson.JsonObject o = new com.google.gson.JsonObject();
        o.addProperty("_class_name", "DDPMScheduler");
        o.addProperty("num_train_timesteps", 1000);
        o.addProperty("beta_start", 0.00085);
        o.addProperty("beta_end", 0.012);
        o.addProperty("beta_schedule", "scaled_linear");
        return SchedulerConfig.fromJson(o);
    }

    private static Scheduler load(String name) {
        if (name.equals("ddpm")) {
            return new DDPMScheduler(ddpmConfig());
        }
        // the golden configs carry no _class_name: build each as its class
        return Schedulers.fromConfig(config(name));
    }

    private static SchedulerConfig config(String name) {
        SchedulerConfig c = SchedulerConfig.fromJson(dir().resolve(name + ".json"));
        String cls = switch (name) {
            case "ddim" -> "DDIMScheduler";
            case "euler" -> "EulerDiscreteScheduler";
            default -> "DPMSolverMultistepScheduler";
        };
        return c.forClass(cls);
    }

    /** The scheduler built on the reference alphas_cumprod, to check the step arithmetic alone. */
    private static Scheduler withReferenceAlphas(String name, float[] ac) {
        SchedulerConfig c = config(name);
        return switch (name) {
            case "ddim" -> new DDIMScheduler(c, ac);
            case "euler" -> new EulerDiscreteScheduler(c, ac);
            default -> new DPMSolverMultistepScheduler(c, ac);
        };
    }

    private static double relErr(NDArray expected, NDArray actual) {
        double maxAbs = Golden.maxAbsDiff(expected, actual);
        double mag = expected.abs().max().getFloat();
        return maxAbs / mag;
    }

    @Test
    void alphasCumprodAndTimesteps() {
        try (SafetensorsFile f = SafetensorsFile.open(dir().resolve("io.safetensors"));
                NDManager m = NDManager.newBaseManager()) {
            for (String name : new String[] {"ddim", "euler", "dpmpp_2m", "ddpm"}) {
                Scheduler s = load(name);
                s.setTimesteps(10);
                long[] expected = f.load(name + ".timesteps", m).toLongArray();
                float[] ts = s.timesteps();
                long[] actual = new long[ts.length];
                for (int i = 0; i < ts.length; i++) {
                    assertEquals(Math.rint(ts[i]), ts[i], name + " timestep " + i + " is not an integer");
                    actual[i] = (long) ts[i];
                }
                assertArrayEquals(expected, actual, name + ".timesteps");
                NDArray ac = f.load(name + ".alphas_cumprod", m);
                double rel = relErr(ac, m.create(s.alphasCumprod()));
                LOG.info("{}.alphas_cumprod: max error / max |ref| = {}", name, rel);
                assertTrue(rel <= REL_TOL, name + ".alphas_cumprod rel error " + rel);
            }
        }
    }

    private double trajectory(String name) {
        double withRefAlphas = trajectory(name, true);
        double rel = trajectory(name, false);
        assertTrue(withRefAlphas <= REL_TOL, name + " trajectory on the reference alphas_cumprod: rel error " + withRefAlphas);
        return rel;
    }

    private double trajectory(String name, boolean referenceAlphas) {
        try (SafetensorsFile f = SafetensorsFile.open(dir().resolve("io.safetensors"));
                NDManager m = NDManager.newBaseManager()) {
            Scheduler s = referenceAlphas
                    ? withReferenceAlphas(name, f.load(name + ".alphas_cumprod", m).toFloatArray())
                    : load(name);
            s.setTimesteps(10);
            NDArray eps = f.load("eps", m);
            NDArray expected = f.load(name + ".trajectory", m);
            NDArray x = f.load("x_start", m).mul(s.initNoiseSigma());
            float[] ts = s.timesteps();
            double worst = 0;
            double mag = expected.abs().max().getFloat();
            for (int i = 0; i < ts.length; i++) {
                NDArray modelOutput = eps.get(i).add(s.scaleModelInput(x, ts[i]).mul(0.1f));
                x = s.step(modelOutput, ts[i], x);
                double err = Golden.maxAbsDiff(expected.get(i), x) / mag;
                worst = Math.max(worst, err);
            }
            LOG.info("{}.trajectory{}: max error / max |ref| = {} (max |ref| = {})", name,
                    referenceAlphas ? " on the reference alphas_cumprod" : "", worst, mag);
            return worst;
        }
    }

    @Test
    void ddimTrajectory() {
        assertInstanceOf(DDIMScheduler.class, load("ddim"));
        double rel = trajectory("ddim");
        assertTrue(rel <= REL_TOL, "ddim trajectory rel error " + rel);
    }

    @Test
    void eulerTrajectory() {
        assertEquals(14.614645f, load("euler").initNoiseSigma(), 1e-5f);
        double rel = trajectory("euler");
        assertTrue(rel <= REL_TOL, "euler trajectory rel error " + rel);
    }

    @Test
    void dpmppTrajectory() {
        double rel = trajectory("dpmpp_2m");
        assertTrue(rel <= REL_TOL, "dpmpp_2m trajectory rel error " + rel);
    }

    @Test
    void ddpmAddNoise() {
        try (SafetensorsFile f = SafetensorsFile.open(dir().resolve("io.safetensors"));
                NDManager m = NDManager.newBaseManager()) {
            Scheduler s = load("ddpm");
            NDArray out = s.addNoise(f.load("add_noise.clean", m), f.load("add_noise.noise", m), f.load("add_noise.t", m));
            NDArray expected = f.load("add_noise.out", m);
            double rel = relErr(expected, out);
            LOG.info("ddpm add_noise: max error / max |ref| = {}, max abs error = {}", rel,
                    Golden.maxAbsDiff(expected, out));
            assertTrue(rel <= REL_TOL, "add_noise rel error " + rel);
        }
    }
}
