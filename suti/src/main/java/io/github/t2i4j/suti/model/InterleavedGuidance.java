package io.github.t2i4j.suti.model;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.tensor.Scalars;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Re-Imagen's interleaved classifier-free guidance, as SuTI (and DreamTuner) use it. Two guided
 * predictions share the fully conditioned one {@code e(x, text, demos)}:
 *
 * <pre>
 * e_demo = w_d * e(x, text, demos) - (w_d - 1) * e(x, text, none)
 * e_text = w_t * e(x, text, demos) - (w_t - 1) * e(x, empty, demos)
 * </pre>
 *
 * and each sampling step uses one of them, {@code e_text} with probability {@code textRatio}: the
 * choices of a run come from a seeded Java generator ({@link #schedule}), so a seed fixes them.
 * Guiding on both at once would push twice along the shared direction; interleaving lets each
 * condition steer the trajectory in turn.
 *
 * @param textScale {@code w_t}, the text guidance scale
 * @param demoScale {@code w_d}, the demonstration guidance scale
 * @param textRatio the share of steps guided by the text, in [0, 1]
 */
public record InterleavedGuidance(float textScale, float demoScale, double textRatio) {

    /** Which guided prediction a step uses. */
    public enum Choice {
        /** {@code e_text}: needs {@code e(x, empty, demos)}. */
        TEXT,
        /** {@code e_demo}: needs {@code e(x, text, none)}. */
        DEMO
    }

    public InterleavedGuidance {
        if (!(textScale >= 0) || !(demoScale >= 0) || !Float.isFinite(textScale) || !Float.isFinite(demoScale)) {
            throw new IllegalArgumentException("guidance scales must be finite and >= 0: text " + textScale
                    + ", demonstrations " + demoScale);
        }
        if (!(textRatio >= 0 && textRatio <= 1)) {
            throw new IllegalArgumentException("textRatio must be in [0, 1]: " + textRatio);
        }
    }

    /**
     * Text scale 5 (the world model's usual CFG scale), demonstration scale 3, half the steps each.
     * Starting values, not tuned.
     */
    public static InterleavedGuidance defaults() {
        return new InterleavedGuidance(5f, 3f, 0.5);
    }

    /** The choice for each of {@code steps} steps: step i is TEXT when the i-th draw of {@code new SplittableRandom(seed)} is below the ratio. */
    public List<Choice> schedule(int steps, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Choice> out = new ArrayList<>(steps);
        for (int i = 0; i < steps; i++) {
            out.add(rng.nextDouble() < textRatio ? Choice.TEXT : Choice.DEMO);
        }
        return out;
    }

    /** The scale of a choice. */
    public float scale(Choice c) {
        return c == Choice.TEXT ? textScale : demoScale;
    }

    /**
     * The guided prediction of a step: {@code w * full - (w - 1) * without}, written as {@code
     * without + w * (full - without)}.
     *
     * @param full {@code e(x, text, demos)}
     * @param without the prediction without the chosen condition: {@code e(x, empty, demos)} for
     *     TEXT, {@code e(x, text, none)} for DEMO
     */
    public NDArray guide(Choice c, NDArray full, NDArray without) {
        return guided(full, without, scale(c));
    }

    /** {@code w * full - (w - 1) * without} on arrays. */
    public static NDArray guided(NDArray full, NDArray without, float w) {
        return without.add(Scalars.mul(full.sub(without), w));
    }

    /** {@code w * full - (w - 1) * without} elementwise on Java arrays (the same formula, for checks). */
    public static float[] guided(float[] full, float[] without, float w) {
        if (full.length != without.length) {
            throw new IllegalArgumentException("predictions of different sizes: " + full.length + ", " + without.length);
        }
        float[] out = new float[full.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = without[i] + w * (full[i] - without[i]);
        }
        return out;
    }
}
