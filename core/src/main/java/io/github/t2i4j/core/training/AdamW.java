package io.github.t2i4j.core.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.io.SafetensorsWriter;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code torch.optim.AdamW} over named parameters: Adam with decoupled weight decay, per-parameter
 * first and second moments ({@code exp_avg}, {@code exp_avg_sq}) and bias correction, updating
 * exactly as PyTorch's single-tensor implementation does:
 *
 * <pre>
 * p  *= 1 - lr * weight_decay                      (decayed parameters only)
 * m   = beta1 * m + (1 - beta1) * g
 * v   = beta2 * v + (1 - beta2) * g^2
 * p  -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 *
 * <p>The learning rate is an argument of {@link #step(double)} (schedules are pure functions of the
 * step, see {@link LearningRateSchedule}). Updates are made in place on views of the parameters
 * detached from autograd, so they are never recorded in a graph whatever the thread's grad mode.
 * Unlike DJL's optimizers, {@link #step} does not zero the gradients: call {@link #zeroGrad()}
 * (gradients accumulate over backward passes until then). Frozen parameters ({@code
 * requiresGradient() == false}) are left out. The state is saved and loaded by parameter name
 * ({@link #save}, {@link #load}), so a resumed run continues exactly.
 */
public final class AdamW {
    private static final Logger LOG = LoggerFactory.getLogger(AdamW.class);

    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Map<String, Parameter> params = new LinkedHashMap<>();
    private final Map<String, Boolean> decays = new LinkedHashMap<>();
    private final Map<String, Double> rateScales = new LinkedHashMap<>();
    private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
    private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
    private long steps;

    private AdamW(Builder b, Map<String, Parameter> named) {
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.eps = b.eps;
        this.weightDecay = b.weightDecay;
        named.forEach(
                (name, p) -> {
                    if (!p.requiresGradient()) {
                        return;
                    }
                    if (!p.isInitialized()) {
                        throw new IllegalStateException("parameter " + name + " has no array yet");
                    }
                    params.put(name, p);
                    decays.put(name, !b.noDecay.test(name));
                    double scale = b.learningRateScale.applyAsDouble(name);
                    if (!(scale >= 0 && Double.isFinite(scale))) {
                        throw new IllegalArgumentException("learning-rate scale of " + name + " must be >= 0: " + scale);
                    }
                    rateScales.put(name, scale);
                    NDArray w = p.getArray();
                    NDArray m = w.zerosLike();
                    NDArray v = w.zerosLike();
                    // optimizer state lives as long as the optimizer, not the caller's scope
                    NDScope.unregister(m, v);
                    expAvg.put(name, m);
                    expAvgSq.put(name, v);
                });
        LOG.debug(
                "AdamW over {} parameters ({} without weight decay)",
                params.size(),
                decays.values().stream().filter(d -> !d).count());
    }

    /** Options with PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, weight decay 0.01. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Names of biases and normalisation weights (a name segment {@code bias}, or one containing
     * {@code norm} or {@code ln_}), which are usually left out of weight decay.
     */
    public static Predicate<String> biasesAndNorms() {
        return name -> {
            for (String seg : name.split("\\.")) {
                if (seg.equals("bias") || seg.contains("norm") || seg.startsWith("ln_")) {
                    return true;
                }
            }
            return false;
        };
    }

    /**
     * One update with learning rate {@code lr} (times each parameter's {@link
     * Builder#learningRateScale scale}) from the gradients accumulated in the parameters. The
     * gradients are read, not zeroed.
     */
    public void step(double lr) {
        steps++;
        double bc1 = 1 - Math.pow(beta1, steps);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, steps));
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                String name = e.getKey();
                double rate = lr * rateScales.get(name);
                float stepSize = (float) (rate / bc1);
                float decayFactor = (float) (1 - rate * weightDecay);
                NDArray g = e.getValue().getArray().getGradient();
                NDArray w = NamedTensors.detached(e.getValue());
                NDArray m = expAvg.get(name);
                NDArray v = expAvgSq.get(name);
                if (weightDecay != 0 && decays.get(name)) {
                    w.muli(decayFactor);
                }
                m.muli((float) beta1).addi(g.mul((float) (1 - beta1)));
                v.muli((float) beta2).addi(g.square().muli((float) (1 - beta2)));
                NDArray denom = v.sqrt().divi((float) bc2Sqrt).addi((float) eps);
                w.subi(m.div(denom).muli(stepSize));
            }
        }
    }

    /** Sets every gradient to zero (values, not just a flag: also clears NaN). */
    public void zeroGrad() {
        zeroGrad(params);
    }

    /** Sets the gradient of every parameter that has one to zero. */
    static void zeroGrad(Map<String, Parameter> params) {
        NDIndex all = new NDIndex("...");
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (Parameter p : params.values()) {
                NDArray a = p.getArray();
                if (a.hasGradient()) {
                    a.getGradient().set(all, 0f);
                }
            }
        }
    }

    /** The parameters this optimizer updates, by name. */
    public Map<String, Parameter> parameters() {
        return Collections.unmodifiableMap(params);
    }

    /** Number of updates made so far ({@code t} in the bias correction). */
    public long stepCount() {
        return steps;
    }

    /** First moment of one parameter (live array; do not close). */
    public NDArray expAvg(String name) {
        return expAvg.get(name);
    }

    /** Second moment of one parameter (live array; do not close). */
    public NDArray expAvgSq(String name) {
        return expAvgSq.get(name);
    }

    /**
     * Writes the state (atomically) as safetensors: {@code exp_avg.<name>} and {@code
     * exp_avg_sq.<name>} per parameter, with the step count and hyper-parameters as metadata.
     */
    public void save(Path file) {
        SafetensorsWriter w =
                new SafetensorsWriter()
                        .metadata("step", Long.toString(steps))
                        .metadata("beta1", Double.toString(beta1))
                        .metadata("beta2", Double.toString(beta2))
                        .metadata("eps", Double.toString(eps))
                        .metadata("weight_decay", Double.toString(weightDecay));
        expAvg.forEach((n, a) -> w.add("exp_avg." + n, a));
        expAvgSq.forEach((n, a) -> w.add("exp_avg_sq." + n, a));
        w.write(file);
    }

    /**
     * Restores the state written by {@link #save}; the file must hold exactly this optimizer's
     * parameters with their shapes.
     */
    public void load(Path file) {
        Map<String, NDArray> targets = new LinkedHashMap<>();
        expAvg.forEach((n, a) -> targets.put("exp_avg." + n, a));
        expAvgSq.forEach((n, a) -> targets.put("exp_avg_sq." + n, a));
        Map<String, String> meta = NamedTensors.fill(targets, file, "AdamW");
        String step = meta.get("step");
        if (step == null) {
            throw new io.github.t2i4j.core.io.CheckpointException(
                    "AdamW state " + file + " has no step count");
        }
        steps = Long.parseLong(step);
    }

    /** AdamW options. */
    public static final class Builder {
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double eps = 1e-8;
        private double weightDecay = 0.01;
        private Predicate<String> noDecay = name -> false;
        private java.util.function.ToDoubleFunction<String> learningRateScale = name -> 1.0;

        private Builder() {}

        public Builder betas(double beta1, double beta2) {
            if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("betas must be in [0, 1): " + beta1 + ", " + beta2);
            }
            this.beta1 = beta1;
            this.beta2 = beta2;
            return this;
        }

        public Builder eps(double eps) {
            if (!(eps >= 0)) {
                throw new IllegalArgumentException("eps must be >= 0: " + eps);
            }
            this.eps = eps;
            return this;
        }

        public Builder weightDecay(double weightDecay) {
            if (!(weightDecay >= 0)) {
                throw new IllegalArgumentException("weight decay must be >= 0: " + weightDecay);
            }
            this.weightDecay = weightDecay;
            return this;
        }

        /** Parameters whose names match are not decayed (e.g. {@link #biasesAndNorms()}). */
        public Builder noDecay(Predicate<String> noDecay) {
            this.noDecay = noDecay;
            return this;
        }

        /**
         * A per-parameter multiplier of the learning rate (default 1 for all; PyTorch's parameter
         * groups with their own {@code lr}), e.g. a tenth for pretrained weights trained beside new
         * layers. The weight decay is scaled with it, as a group's {@code lr} scales it in PyTorch.
         */
        public Builder learningRateScale(java.util.function.ToDoubleFunction<String> scale) {
            this.learningRateScale = java.util.Objects.requireNonNull(scale, "scale");
            return this;
        }

        /** The optimizer over the trainable parameters among {@code params}. */
        public AdamW build(Map<String, Parameter> params) {
            return new AdamW(this, params);
        }
    }
}
