package io.github.t2i4j.core.schedulers;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Builds schedulers: from a diffusers {@code scheduler_config.json} by its {@code _class_name}, or
 * by a short user-facing name from another scheduler's config (as diffusers'
 * {@code OtherScheduler.from_config(pipe.scheduler.config)}: the keys given in that config carry
 * over, the others take the new class's defaults).
 */
public final class Schedulers {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Schedulers.class);

    private Schedulers() {}

    private static final Map<String, Function<SchedulerConfig, Scheduler>> CLASSES = new LinkedHashMap<>();
    /** Short name to class name, in the order shown in error messages. */
    private static final Map<String, String> NAMES = new LinkedHashMap<>();

    static {
        CLASSES.put(DDPMScheduler.CLASS_NAME, DDPMScheduler::new);
        CLASSES.put(DDIMScheduler.CLASS_NAME, DDIMScheduler::new);
        CLASSES.put(EulerDiscreteScheduler.CLASS_NAME, EulerDiscreteScheduler::new);
        CLASSES.put(DPMSolverMultistepScheduler.CLASS_NAME, DPMSolverMultistepScheduler::new);
        NAMES.put("ddpm", DDPMScheduler.CLASS_NAME);
        NAMES.put("ddim", DDIMScheduler.CLASS_NAME);
        NAMES.put("euler", EulerDiscreteScheduler.CLASS_NAME);
        NAMES.put("dpm++2m", DPMSolverMultistepScheduler.CLASS_NAME);
        NAMES.put("dpmpp_2m", DPMSolverMultistepScheduler.CLASS_NAME);
        NAMES.put("dpmsolver++", DPMSolverMultistepScheduler.CLASS_NAME);
        NAMES.put("dpm++2m-karras", DPMSolverMultistepScheduler.CLASS_NAME);
        NAMES.put("dpmpp_2m_karras", DPMSolverMultistepScheduler.CLASS_NAME);
    }

    /** The {@code _class_name}s that can be built. */
    public static Set<String> classNames() {
        return Collections.unmodifiableSet(CLASSES.keySet());
    }

    /** The short names {@link #byName} accepts (class names are accepted too). */
    public static Set<String> names() {
        return Collections.unmodifiableSet(NAMES.keySet());
    }

    /** The scheduler a {@code scheduler_config.json} describes. */
    public static Scheduler fromConfig(Path schedulerConfigJson) {
        return fromConfig(SchedulerConfig.fromJson(schedulerConfigJson));
    }

    /** The scheduler a parsed {@code scheduler_config.json} describes. */
    public static Scheduler fromConfig(JsonObject json) {
        return fromConfig(SchedulerConfig.fromJson(json));
    }

    /** The scheduler of {@code config.className()}. */
    public static Scheduler fromConfig(SchedulerConfig config) {
        Function<SchedulerConfig, Scheduler> f = config.className() == null ? null : CLASSES.get(config.className());
        if (f == null) {
            throw new IllegalArgumentException("scheduler class "
                    + (config.className() == null ? "(no _class_name)" : "'" + config.className() + "'")
                    + " is not implemented; available classes: " + String.join(", ", CLASSES.keySet())
                    + ". To sample with another scheduler from this config use Schedulers.byName(name, config)"
                    + " with one of: " + available());
        }
        return f.apply(config);
    }

    /** What {@link #fromConfigOrDefault} samples with when a directory names an unimplemented class. */
    public static final String FALLBACK = "dpm++2m";

    /**
     * The scheduler a pipeline directory's {@code scheduler_config.json} describes; when its class
     * is not implemented here (SD 1.5 ships {@code PNDMScheduler}), DPM-Solver++ 2M built from the
     * same config, with a warning: the noise schedule the model was trained with is kept, only
     * the sampler differs.
     */
    public static Scheduler fromConfigOrDefault(Path schedulerConfigJson) {
        SchedulerConfig config = SchedulerConfig.fromJson(schedulerConfigJson);
        if (config.className() != null && CLASSES.containsKey(config.className())) {
            return fromConfig(config);
        }
        LOG.warn(
                "{} names scheduler class {}, which t2i4j does not implement; sampling with {} built from the same config",
                schedulerConfigJson,
                config.className(),
                FALLBACK);
        return byName(FALLBACK, config);
    }

    /**
     * A scheduler chosen by name ("ddpm", "ddim", "euler", "dpm++2m" and its aliases "dpmpp_2m",
     * "dpmsolver++", "dpm++2m-karras"/"dpmpp_2m_karras", or a class name), configured from
     * {@code base} the way diffusers' {@code from_config} does. The "dpm++2m" names force
     * {@code algorithm_type} dpmsolver++ and {@code solver_order} 2; the "-karras" ones also Karras
     * sigmas.
     */
    public static Scheduler byName(String name, SchedulerConfig base) {
        if (name == null) {
            throw new IllegalArgumentException("scheduler name is null; available: " + available());
        }
        String key = name.trim().toLowerCase(Locale.ROOT);
        String className = NAMES.get(key);
        if (className == null && CLASSES.containsKey(name.trim())) {
            className = name.trim();
        }
        if (className == null) {
            throw new IllegalArgumentException("unknown scheduler '" + name + "'; available: " + available());
        }
        SchedulerConfig c = base.forClass(className);
        if (key.startsWith("dpm")) {
            JsonObject o = new JsonObject();
            o.addProperty("algorithm_type", "dpmsolver++");
            o.addProperty("solver_order", 2);
            if (key.endsWith("karras")) {
                o.addProperty("use_karras_sigmas", true);
            }
            c = c.with(o);
        }
        return CLASSES.get(className).apply(c);
    }

    /** {@link #byName} with the diffusers defaults of the chosen class. */
    public static Scheduler byName(String name) {
        return byName(name, SchedulerConfig.defaults(null));
    }

    private static String available() {
        return String.join(", ", NAMES.keySet()) + " (or a class name: " + String.join(", ", CLASSES.keySet()) + ")";
    }
}
