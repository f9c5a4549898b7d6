package io.github.t2i4j.core.schedulers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.t2i4j.core.Golden;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class SchedulerConfigTest {

    @Test
    void defaultsFollowTheClass() {
        SchedulerConfig ddpm = SchedulerConfig.defaults("DDPMScheduler");
        assertEquals(1000, ddpm.numTrainTimesteps());
        assertEquals(0.0001, ddpm.betaStart());
        assertEquals(0.02, ddpm.betaEnd());
        assertEquals("linear", ddpm.betaSchedule());
        assertEquals("leading", ddpm.timestepSpacing());
        assertEquals("fixed_small", ddpm.varianceType());
        assertTrue(ddpm.clipSample());
        SchedulerConfig euler = SchedulerConfig.defaults("EulerDiscreteScheduler");
        assertEquals("linspace", euler.timestepSpacing());
        SchedulerConfig dpm = SchedulerConfig.defaults("DPMSolverMultistepScheduler");
        assertEquals("linspace", dpm.timestepSpacing());
        assertNull(dpm.varianceType());
        assertEquals(2, dpm.solverOrder());
        assertEquals("dpmsolver++", dpm.algorithmType());
        assertEquals("midpoint", dpm.solverType());
        assertTrue(dpm.lowerOrderFinal());
        assertEquals(Double.NEGATIVE_INFINITY, dpm.lambdaMinClipped());
        assertNull(dpm.finalSigmasType());
    }

    @Test
    void parsesTheGoldenConfigs() {
        SchedulerConfig dpm = SchedulerConfig.fromJson(Golden.dir("schedulers").resolve("dpmpp_2m.json"));
        assertEquals(Double.NEGATIVE_INFINITY, dpm.lambdaMinClipped()); // "-Infinity" in the file
        assertEquals("scaled_linear", dpm.betaSchedule());
        assertEquals(0.00085, dpm.betaStart());
        assertEquals(1, dpm.stepsOffset());
        SchedulerConfig ddim = SchedulerConfig.fromJson(Golden.dir("schedulers").resolve("ddim.json"));
        assertFalse(ddim.clipSample());
        assertFalse(ddim.setAlphaToOne());
        assertFalse(ddim.given().has("timestep_spacing")); // listed in _use_default_values
    }

    private static IllegalArgumentException rejects(String key, Object value, Function<SchedulerConfig, ?> build) {
        JsonObject o = new JsonObject();
        if (value instanceof Boolean b) {
            o.addProperty(key, b);
        } else if (value instanceof Number n) {
            o.addProperty(key, n);
        } else {
            o.addProperty(key, (String) value);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> build.apply(SchedulerConfig.fromJson(o)));
        assertTrue(e.getMessage().contains(key), e.getMessage());
        assertTrue(e.getMessage().contains(String.valueOf(value)), e.getMessage());
        return e;
    }

    @Test
    void unsupportedValuesNameKeyAndValue() {
        rejects("prediction_type", "flow", c -> c);
        rejects("beta_schedule", "cosine", c -> c);
        rejects("timestep_spacing", "uniform", c -> c);
        rejects("thresholding", true, DDIMScheduler::new);
        rejects("thresholding", true, DDPMScheduler::new);
        rejects("thresholding", true, DPMSolverMultistepScheduler::new);
        rejects("algorithm_type", "dpmsolver3", DPMSolverMultistepScheduler::new);
        rejects("solver_type", "bogus", DPMSolverMultistepScheduler::new);
        rejects("solver_order", 4, DPMSolverMultistepScheduler::new);
        rejects("variance_type", "learned_range", DPMSolverMultistepScheduler::new);
        rejects("variance_type", "fixed_large_log", DDPMScheduler::new);
        rejects("interpolation_type", "cubic", EulerDiscreteScheduler::new);
        rejects("final_sigmas_type", "one", DPMSolverMultistepScheduler::new);
        rejects("beta_schedule", "sigmoid", DDIMScheduler::new);
        rejects("num_train_timesteps", "many", c -> c);
        rejects("clip_sample", "yes", c -> c);
    }

    @Test
    void unknownKeysAreIgnoredAsDiffusersDoes() {
        JsonObject o = JsonParser.parseString("{\"skip_prk_steps\": true, \"clip_sample\": false}").getAsJsonObject();
        SchedulerConfig c = SchedulerConfig.fromJson(o);
        new EulerDiscreteScheduler(c); // Euler has no clip_sample: ignored
        assertTrue(c.toJson().has("skip_prk_steps"));
    }

    @Test
    void withSetsKeys() {
        SchedulerConfig c = SchedulerConfig.defaults("DDIMScheduler").with("prediction_type", "v_prediction");
        assertEquals("v_prediction", c.predictionType());
        assertEquals(c, SchedulerConfig.fromJson(c.toJson()));
    }
}
