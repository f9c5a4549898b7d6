package io.github.t2i4j.core.schedulers;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A diffusers {@code scheduler_config.json}, with the semantics of diffusers 0.25.
 *
 * <p>One record serves every scheduler class: each class reads the keys it knows and ignores the
 * rest, as diffusers does. Absent keys take the default of the class named by {@code _class_name}
 * (only {@code timestep_spacing} and {@code variance_type} differ between our classes). Keys listed
 * in {@code _use_default_values} count as absent, so {@link #forClass(String)} rebuilds the config
 * for another class the way diffusers' {@code from_config} does: keys that were really given carry
 * over, the others take the new class's defaults.
 *
 * <p>Values that no scheduler understands (an unknown {@code prediction_type}, {@code beta_schedule}
 * or {@code timestep_spacing}) and wrongly typed values are rejected here with an {@link
 * IllegalArgumentException} naming the key and value; class-specific options are checked by the
 * scheduler that uses them.
 *
 * @param className {@code _class_name}, e.g. {@code DDIMScheduler}; may be null
 * @param numTrainTimesteps {@code num_train_timesteps}
 * @param betaStart {@code beta_start}
 * @param betaEnd {@code beta_end}
 * @param betaSchedule {@code beta_schedule}: linear, scaled_linear, squaredcos_cap_v2 (or sigmoid, DDPM
 *     only)
 * @param trainedBetas {@code trained_betas}, or null
 * @param predictionType {@code prediction_type}: epsilon, v_prediction or sample
 * @param timestepSpacing {@code timestep_spacing}: leading, linspace or trailing
 * @param stepsOffset {@code steps_offset}
 * @param clipSample {@code clip_sample} (DDPM, DDIM)
 * @param clipSampleRange {@code clip_sample_range}
 * @param setAlphaToOne {@code set_alpha_to_one} (DDIM)
 * @param thresholding {@code thresholding}: dynamic thresholding, not implemented (must be false)
 * @param dynamicThresholdingRatio {@code dynamic_thresholding_ratio}
 * @param sampleMaxValue {@code sample_max_value}
 * @param varianceType {@code variance_type} (DDPM: fixed_small by default; DPM-Solver: null)
 * @param rescaleBetasZeroSnr {@code rescale_betas_zero_snr} (DDPM, DDIM, Euler)
 * @param solverOrder {@code solver_order} (DPM-Solver)
 * @param algorithmType {@code algorithm_type} (DPM-Solver)
 * @param solverType {@code solver_type} (DPM-Solver)
 * @param lowerOrderFinal {@code lower_order_final} (DPM-Solver)
 * @param eulerAtFinal {@code euler_at_final} (DPM-Solver)
 * @param useKarrasSigmas {@code use_karras_sigmas} (Euler, DPM-Solver)
 * @param useLuLambdas {@code use_lu_lambdas} (DPM-Solver)
 * @param lambdaMinClipped {@code lambda_min_clipped} (DPM-Solver)
 * @param finalSigmasType {@code final_sigmas_type} (DPM-Solver; a diffusers 0.26 key): null when absent,
 *     which behaves as diffusers 0.25 ("sigma_min")
 * @param interpolationType {@code interpolation_type} (Euler): linear or log_linear
 * @param timestepType {@code timestep_type} (Euler): discrete or continuous
 * @param sigmaMin {@code sigma_min} for Karras sigmas, or null
 * @param sigmaMax {@code sigma_max} for Karras sigmas, or null
 * @param given the keys really given in the file (without {@code _class_name} and the defaulted
 *     ones), used to rebuild the config for another class
 */
public record SchedulerConfig(
        String className,
        int numTrainTimesteps,
        double betaStart,
        double betaEnd,
        String betaSchedule,
        double[] trainedBetas,
        String predictionType,
        String timestepSpacing,
        int stepsOffset,
        boolean clipSample,
        double clipSampleRange,
        boolean setAlphaToOne,
        boolean thresholding,
        double dynamicThresholdingRatio,
        double sampleMaxValue,
        String varianceType,
        boolean rescaleBetasZeroSnr,
        int solverOrder,
        String algorithmType,
        String solverType,
        boolean lowerOrderFinal,
        boolean eulerAtFinal,
        boolean useKarrasSigmas,
        boolean useLuLambdas,
        double lambdaMinClipped,
        String finalSigmasType,
        String interpolationType,
        String timestepType,
        Double sigmaMin,
        Double sigmaMax,
        JsonObject given) {

    /** Keys of the file that are bookkeeping, not options. */
    private static final Set<String> META_KEYS =
            Set.of("_class_name", "_diffusers_version", "_use_default_values", "_name_or_path");

    /** Copies the mutable components. */
    public SchedulerConfig {
        trainedBetas = trainedBetas == null ? null : trainedBetas.clone();
        given = given == null ? new JsonObject() : given.deepCopy();
    }

    @Override
    public double[] trainedBetas() {
        return trainedBetas == null ? null : trainedBetas.clone();
    }

    @Override
    public JsonObject given() {
        return given.deepCopy();
    }

    /** Reads a {@code scheduler_config.json}. */
    public static SchedulerConfig fromJson(Path path) {
        try {
            return fromJson(JsonParser.parseString(Files.readString(path)).getAsJsonObject());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read scheduler config " + path, e);
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException("scheduler config " + path + " is not a JSON object: " + e.getMessage(), e);
        }
    }

    /** Parses a scheduler config object; defaults follow the class named by {@code _class_name}. */
    public static SchedulerConfig fromJson(JsonObject json) {
        JsonElement cn = json.get("_class_name");
        String className = cn == null || cn.isJsonNull() ? null : cn.getAsString();
        return parse(className, givenKeys(json));
    }

    /** The defaults of a class, as diffusers' {@code Class()} with no arguments. */
    public static SchedulerConfig defaults(String className) {
        return parse(className, new JsonObject());
    }

    /**
     * This config as diffusers' {@code TargetClass.from_config(this)} sees it: the keys given in the
     * file carry over, every other key takes the target class's default.
     */
    public SchedulerConfig forClass(String targetClassName) {
        if (targetClassName.equals(className)) {
            return this;
        }
        return parse(targetClassName, given);
    }

    /** A copy with some keys set (diffusers' {@code from_config(config, **kwargs)}). */
    public SchedulerConfig with(JsonObject overrides) {
        JsonObject g = given.deepCopy();
        for (Map.Entry<String, JsonElement> e : overrides.entrySet()) {
            if (!META_KEYS.contains(e.getKey())) {
                g.add(e.getKey(), e.getValue());
            }
        }
        return parse(className, g);
    }

    /** A copy with one key set, e.g. {@code with("prediction_type", "v_prediction")}. */
    public SchedulerConfig with(String key, Object value) {
        JsonObject o = new JsonObject();
        if (value == null) {
            o.add(key, JsonNull.INSTANCE);
        } else if (value instanceof Boolean b) {
            o.addProperty(key, b);
        } else if (value instanceof Number n) {
            o.addProperty(key, n);
        } else {
            o.addProperty(key, value.toString());
        }
        return with(o);
    }

    /** This config written back as diffusers keys (given keys plus the class name). */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        if (className != null) {
            o.addProperty("_class_name", className);
        }
        for (Map.Entry<String, JsonElement> e : given.entrySet()) {
            o.add(e.getKey(), e.getValue().deepCopy());
        }
        return o;
    }

    private static JsonObject givenKeys(JsonObject json) {
        Set<String> defaulted = new HashSet<>();
        JsonElement used = json.get("_use_default_values");
        if (used != null && used.isJsonArray()) {
            for (JsonElement e : used.getAsJsonArray()) {
                defaulted.add(e.getAsString());
            }
        }
        JsonObject g = new JsonObject();
        for (Map.Entry<String, JsonElement> e : json.entrySet()) {
            if (!META_KEYS.contains(e.getKey()) && !defaulted.contains(e.getKey())) {
                g.add(e.getKey(), e.getValue().deepCopy());
            }
        }
        return g;
    }

    private static SchedulerConfig parse(String className, JsonObject g) {
        boolean ddpm = "DDPMScheduler".equals(className);
        boolean eulerOrDpm =
                "EulerDiscreteScheduler".equals(className) || "DPMSolverMultistepScheduler".equals(className);
        int numTrain = intOf(g, "num_train_timesteps", 1000);
        if (numTrain < 1) {
            throw bad("num_train_timesteps", g.get("num_train_timesteps"), "must be positive");
        }
        String betaSchedule = oneOf(g, "beta_schedule", "linear",
                "linear", "scaled_linear", "squaredcos_cap_v2", "sigmoid");
        String predictionType = oneOf(g, "prediction_type", "epsilon", "epsilon", "v_prediction", "sample");
        String spacing = oneOf(g, "timestep_spacing", eulerOrDpm ? "linspace" : "leading",
                "leading", "linspace", "trailing");
        double[] trained = null;
        JsonElement tb = g.get("trained_betas");
        if (tb != null && !tb.isJsonNull()) {
            if (!tb.isJsonArray()) {
                throw bad("trained_betas", tb, "must be a list of numbers or null");
            }
            JsonArray a = tb.getAsJsonArray();
            trained = new double[a.size()];
            for (int i = 0; i < trained.length; i++) {
                trained[i] = number("trained_betas", a.get(i));
            }
        }
        return new SchedulerConfig(
                className,
                numTrain,
                doubleOf(g, "beta_start", 0.0001),
                doubleOf(g, "beta_end", 0.02),
                betaSchedule,
                trained,
                predictionType,
                spacing,
                intOf(g, "steps_offset", 0),
                boolOf(g, "clip_sample", true),
                doubleOf(g, "clip_sample_range", 1.0),
                boolOf(g, "set_alpha_to_one", true),
                boolOf(g, "thresholding", false),
                doubleOf(g, "dynamic_thresholding_ratio", 0.995),
                doubleOf(g, "sample_max_value", 1.0),
                stringOf(g, "variance_type", ddpm ? "fixed_small" : null),
                boolOf(g, "rescale_betas_zero_snr", false),
                intOf(g, "solver_order", 2),
                stringOf(g, "algorithm_type", "dpmsolver++"),
                stringOf(g, "solver_type", "midpoint"),
                boolOf(g, "lower_order_final", true),
                boolOf(g, "euler_at_final", false),
                boolOf(g, "use_karras_sigmas", false),
                boolOf(g, "use_lu_lambdas", false),
                doubleOf(g, "lambda_min_clipped", Double.NEGATIVE_INFINITY),
                stringOf(g, "final_sigmas_type", null),
                stringOf(g, "interpolation_type", "linear"),
                stringOf(g, "timestep_type", "discrete"),
                nullableDouble(g, "sigma_min"),
                nullableDouble(g, "sigma_max"),
                g);
    }

    // ---- validation helpers used by the schedulers -------------------------------------------

    /** Throws unless {@code value} of {@code key} is one of {@code allowed}. */
    static String require(String key, String value, String... allowed) {
        for (String a : allowed) {
            if (a.equals(value)) {
                return value;
            }
        }
        throw new IllegalArgumentException(
                "unsupported " + key + " = " + (value == null ? "null" : "\"" + value + "\"")
                        + "; supported: " + String.join(", ", allowed));
    }

    /** Rejects options this project does not implement, naming key and value. */
    static IllegalArgumentException unsupported(String key, Object value, String why) {
        return new IllegalArgumentException("unsupported " + key + " = " + value + ": " + why);
    }

    // ---- JSON access -------------------------------------------------------------------------

    private static IllegalArgumentException bad(String key, JsonElement v, String why) {
        return new IllegalArgumentException("scheduler config: " + key + " = " + v + " " + why);
    }

    private static boolean absent(JsonObject g, String key) {
        JsonElement e = g.get(key);
        return e == null || e.isJsonNull();
    }

    private static double number(String key, JsonElement e) {
        if (!e.isJsonPrimitive()) {
            throw bad(key, e, "is not a number");
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        if (p.isNumber()) {
            return p.getAsDouble();
        }
        if (p.isString()) {
            // Python's json writes -Infinity / NaN as bare words; a lenient parser keeps them as text.
            switch (p.getAsString()) {
                case "-Infinity": return Double.NEGATIVE_INFINITY;
                case "Infinity": return Double.POSITIVE_INFINITY;
                case "NaN": return Double.NaN;
                default: break;
            }
        }
        throw bad(key, e, "is not a number");
    }

    private static double doubleOf(JsonObject g, String key, double dflt) {
        return absent(g, key) ? dflt : number(key, g.get(key));
    }

    private static Double nullableDouble(JsonObject g, String key) {
        return absent(g, key) ? null : number(key, g.get(key));
    }

    private static int intOf(JsonObject g, String key, int dflt) {
        if (absent(g, key)) {
            return dflt;
        }
        double d = number(key, g.get(key));
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw bad(key, g.get(key), "is not an integer");
        }
        return (int) d;
    }

    private static boolean boolOf(JsonObject g, String key, boolean dflt) {
        if (absent(g, key)) {
            return dflt;
        }
        JsonElement e = g.get(key);
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean()) {
            return e.getAsBoolean();
        }
        throw bad(key, e, "is not a boolean");
    }

    private static String stringOf(JsonObject g, String key, String dflt) {
        if (absent(g, key)) {
            return dflt;
        }
        JsonElement e = g.get(key);
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            return e.getAsString();
        }
        throw bad(key, e, "is not a string");
    }

    private static String oneOf(JsonObject g, String key, String dflt, String... allowed) {
        String v = stringOf(g, key, dflt);
        if (!Arrays.asList(allowed).contains(v)) {
            throw new IllegalArgumentException(
                    "unsupported " + key + " = \"" + v + "\"; supported: " + String.join(", ", allowed));
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SchedulerConfig c
                && java.util.Objects.equals(className, c.className)
                && given.equals(c.given);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(className, given);
    }

    @Override
    public String toString() {
        return "SchedulerConfig" + toJson();
    }
}
