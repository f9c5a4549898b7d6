package io.github.t2i4j.core.schedulers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.t2i4j.core.Golden;
import org.junit.jupiter.api.Test;

class SchedulersTest {

    /** Stable Diffusion 1.5's scheduler_config.json (a PNDMScheduler, which we do not implement). */
    private static final String SD15 = "{\"_class_name\": \"PNDMScheduler\", \"_diffusers_version\": \"0.6.0\","
            + " \"beta_end\": 0.012, \"beta_schedule\": \"scaled_linear\", \"beta_start\": 0.00085,"
            + " \"num_train_timesteps\": 1000, \"set_alpha_to_one\": false, \"skip_prk_steps\": true,"
            + " \"steps_offset\": 1, \"trained_betas\": null, \"clip_sample\": false}";

    private static SchedulerConfig sd15() {
        return SchedulerConfig.fromJson(JsonParser.parseString(SD15).getAsJsonObject());
    }

    @Test
    void unknownNameListsWhatIsAvailable() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Schedulers.byName("heun", sd15()));
        assertTrue(e.getMessage().contains("'heun'"), e.getMessage());
        for (String n : new String[] {"ddpm", "ddim", "euler", "dpm++2m", "dpmpp_2m", "dpmsolver++"}) {
            assertTrue(e.getMessage().contains(n), e.getMessage());
        }
    }

    @Test
    void unknownClassNameIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Schedulers.fromConfig(sd15()));
        assertTrue(e.getMessage().contains("PNDMScheduler"), e.getMessage());
        assertTrue(e.getMessage().contains("EulerDiscreteScheduler"), e.getMessage());
        assertTrue(e.getMessage().contains("byName"), e.getMessage());
    }

    @Test
    void byNamePicksTheClassAndCarriesGivenKeys() {
        SchedulerConfig base = sd15();
        Scheduler euler = Schedulers.byName("euler", base);
        assertInstanceOf(EulerDiscreteScheduler.class, euler);
        // given keys carry over, absent ones take Euler's defaults (timestep_spacing "linspace")
        assertEquals("scaled_linear", euler.config().betaSchedule());
        assertEquals(1, euler.config().stepsOffset());
        assertEquals("linspace", euler.config().timestepSpacing());
        assertInstanceOf(DDIMScheduler.class, Schedulers.byName("DDIM", base));
        assertEquals("leading", Schedulers.byName("ddim", base).config().timestepSpacing());
        assertInstanceOf(DDPMScheduler.class, Schedulers.byName("ddpm", base));
        for (String alias : new String[] {"dpm++2m", "dpmpp_2m", "dpmsolver++", "DPMSolverMultistepScheduler"}) {
            Scheduler s = Schedulers.byName(alias, base);
            assertInstanceOf(DPMSolverMultistepScheduler.class, s, alias);
            assertEquals("dpmsolver++", s.config().algorithmType());
            assertEquals(2, s.config().solverOrder());
            assertEquals(false, s.config().useKarrasSigmas());
        }
        assertTrue(Schedulers.byName("dpm++2m-karras", base).config().useKarrasSigmas());
    }

    @Test
    void usesDefaultValuesListAsDiffusersDoes() {
        // ddim.json lists timestep_spacing under _use_default_values: Euler built from it uses linspace
        SchedulerConfig ddim = SchedulerConfig.fromJson(Golden.dir("schedulers").resolve("ddim.json"));
        assertEquals("linspace", Schedulers.byName("euler", ddim).config().timestepSpacing());
        assertEquals("leading", ddim.forClass("DDIMScheduler").timestepSpacing());
        // ...while a given key carries over
        SchedulerConfig leading = ddim.with("timestep_spacing", "leading");
        assertEquals("leading", Schedulers.byName("euler", leading).config().timestepSpacing());
    }

    @Test
    void fromConfigJsonByClassName() {
        JsonObject o = JsonParser.parseString(SD15).getAsJsonObject();
        o.addProperty("_class_name", "EulerDiscreteScheduler");
        Scheduler s = Schedulers.fromConfig(o);
        assertInstanceOf(EulerDiscreteScheduler.class, s);
        s.setTimesteps(10);
        assertEquals(999f, s.timesteps()[0]);
    }
}
