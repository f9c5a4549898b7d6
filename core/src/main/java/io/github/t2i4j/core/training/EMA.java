package io.github.t2i4j.core.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.io.CheckpointException;
import io.github.t2i4j.core.io.SafetensorsWriter;
import io.github.t2i4j.core.nn.Module;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An exponential moving average of a model's weights (diffusers' {@code EMAModel}): its own copy
 * of every parameter, moved towards the live weights after each optimizer step by {@code shadow
 * -= (1 - decay) * (shadow - weight)}. The decay may warm up ({@link Decay#warmup}) so that early,
 * poor weights are forgotten quickly. Evaluate with the averaged weights through {@link
 * #copyTo(Module)} (into another instance of the model) or {@link #swap()} (in place, and swap
 * back). The shadow weights and the update count are saved by parameter name.
 */
public final class EMA {

    /**
     * The decay used at the {@code n}-th update (counted from 1): 0 at the first update (the
     * average starts as a copy of the weights), then either the constant {@code max}, or with
     * warm-up {@code 1 - (1 + (n - 1) / invGamma)^-power}, clamped to [{@code min}, {@code max}]
     * (diffusers' {@code use_ema_warmup}; power 2/3 suits runs of ~1M steps, 3/4 ~100k).
     */
    public record Decay(double max, double min, boolean warmup, double invGamma, double power) {
        public Decay {
            if (!(max >= 0 && max < 1 && min >= 0 && min <= max)) {
                throw new IllegalArgumentException(
                        "need 0 <= min <= max < 1: min " + min + ", max " + max);
            }
            if (warmup && !(invGamma > 0 && power > 0)) {
                throw new IllegalArgumentException(
                        "warm-up needs invGamma > 0 and power > 0: " + invGamma + ", " + power);
            }
        }

        /** A constant decay from the second update on. */
        public static Decay constant(double decay) {
            return new Decay(decay, 0, false, 1, 1);
        }

        /** Warm-up towards {@code max} with diffusers' defaults inv_gamma 1. */
        public static Decay warmup(double max, double power) {
            return new Decay(max, 0, true, 1, power);
        }

        /** The decay at the {@code n}-th update (1-based). */
        public double at(long n) {
            long step = n - 1;
            if (step <= 0) {
                return 0;
            }
            double d = warmup ? 1 - Math.pow(1 + step / invGamma, -power) : max;
            return Math.max(min, Math.min(max, d));
        }
    }

    private final Decay decay;
    private final Map<String, Parameter> params = new LinkedHashMap<>();
    private final Map<String, NDArray> shadow = new LinkedHashMap<>();
    private long updates;

    /** An average of {@code params} (each copied now), on the parameters' own devices. */
    public EMA(Map<String, Parameter> params, Decay decay) {
        this.decay = decay;
        params.forEach(
                (name, p) -> {
                    if (!p.isInitialized()) {
                        throw new IllegalStateException("parameter " + name + " has no array yet");
                    }
                    NDArray copy;
                    try (NDArray w = NamedTensors.detached(p)) {
                        copy = w.duplicate();
                    }
                    NDScope.unregister(copy);
                    this.params.put(name, p);
                    shadow.put(name, copy);
                });
    }

    /** An average of every parameter of {@code module}. */
    public static EMA of(Module module, Decay decay) {
        return new EMA(module.namedParameters(), decay);
    }

    /** Moves the average towards the current weights; call after each optimizer step. */
    public void update() {
        updates++;
        float oneMinusDecay = (float) (1 - decay.at(updates));
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                NDArray s = shadow.get(e.getKey());
                NDArray w = NamedTensors.detached(e.getValue());
                s.subi(s.sub(w).muli(oneMinusDecay));
            }
        }
    }

    /** Number of updates so far. */
    public long updateCount() {
        return updates;
    }

    /** The decay rule. */
    public Decay decay() {
        return decay;
    }

    /** The averaged weights by name (live arrays; do not close). */
    public Map<String, NDArray> shadow() {
        return Collections.unmodifiableMap(shadow);
    }

    /**
     * Copies the averaged weights into the parameters of the same names in {@code target} (e.g. a
     * second instance of the model kept for evaluation); every averaged name must exist there.
     */
    public void copyTo(Module target) {
        Map<String, Parameter> dst = target.namedParameters();
        NDIndex all = new NDIndex("...");
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            shadow.forEach(
                    (name, s) -> {
                        Parameter p = dst.get(name);
                        if (p == null || !p.isInitialized()) {
                            throw new IllegalArgumentException(
                                    "target has no initialised parameter " + name);
                        }
                        NamedTensors.detached(p).set(all, s.toDevice(p.getArray().getDevice(), false));
                    });
        }
    }

    /**
     * Exchanges the averaged and the live weights in place: the model then evaluates with the
     * average; a second call restores the training weights.
     */
    public void swap() {
        NDIndex all = new NDIndex("...");
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            params.forEach(
                    (name, p) -> {
                        NDArray w = NamedTensors.detached(p);
                        NDArray s = shadow.get(name);
                        NDArray live = w.duplicate();
                        w.set(all, s);
                        s.set(all, live);
                    });
        }
    }

    /** Writes the averaged weights under the parameter names, with the update count. */
    public void save(Path file) {
        SafetensorsWriter w =
                new SafetensorsWriter()
                        .metadata("format", "pt")
                        .metadata("ema_updates", Long.toString(updates))
                        .metadata("decay", decay.toString());
        shadow.forEach(w::add);
        w.write(file);
    }

    /** Restores what {@link #save} wrote; names and shapes must match exactly. */
    public void load(Path file) {
        Map<String, String> meta = NamedTensors.fill(shadow, file, "EMA");
        String n = meta.get("ema_updates");
        if (n == null) {
            throw new CheckpointException("EMA state " + file + " has no update count");
        }
        updates = Long.parseLong(n);
    }
}
