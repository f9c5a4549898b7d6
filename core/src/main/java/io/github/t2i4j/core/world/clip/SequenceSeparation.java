package io.github.t2i4j.core.world.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.models.clip.CLIPModel;
import io.github.t2i4j.core.tensor.Scalars;
import io.github.t2i4j.core.text.CLIPTokenizer;
import io.github.t2i4j.core.world.WorldExample;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A margin on what a diffusion UNet reads from the text tower: its whole final-normed sequence
 * output ({@code last_hidden_state}), not the pooled, projected vector CLIP's loss sees. A caption
 * and its {@link HardNegatives hard negative} (one attribute changed) describe different images, so
 * their sequences must not be near-parallel; the loss is the mean of {@code max(0, cos - maxCosine)}
 * over such pairs, the cosine taken over the flattened [L, D] sequences.
 *
 * <p>Why: CLIP's learned text projection can amplify an attribute the sequence carries only
 * faintly, so a CLIP can tell the attribute apart while a UNet conditioned on its sequence ignores
 * it. The first world CLIP did that with texture: "a red striped circle" and "a red dotted circle"
 * had sequence cosine 0.998 against about 0.8 for a colour change, and the UNet drew the same
 * picture for every texture word.
 */
public final class SequenceSeparation {

    /** The default bound on the cosine of a caption's and its hard negative's sequences. */
    public static final float DEFAULT_MAX_COSINE = 0.9f;

    private SequenceSeparation() {}

    /** Cosine [B] of each row's flattened sequences, for two [B, L, D] arrays of one shape. */
    public static NDArray cosine(NDArray hidden, NDArray otherHidden) {
        Shape s = hidden.getShape();
        if (s.dimension() != 3 || !s.equals(otherHidden.getShape())) {
            throw new IllegalArgumentException(
                    "sequence separation needs two [batch, length, width] arrays of one shape, got " + s + " and "
                            + otherHidden.getShape());
        }
        NDArray a = CLIPModel.normalize(hidden.reshape(s.get(0), -1));
        NDArray b = CLIPModel.normalize(otherHidden.reshape(s.get(0), -1));
        return a.mul(b).sum(new int[] {1});
    }

    /** {@code mean(max(0, cosine - maxCosine))}: a scalar on {@code hidden}'s manager. */
    public static NDArray loss(NDArray hidden, NDArray negativeHidden, float maxCosine) {
        NDArray excess = cosine(hidden, negativeHidden).sub(maxCosine).maximum(0f);
        return Scalars.div(excess.sum(), excess.getShape().get(0));
    }

    /**
     * The mean sequence cosine between each example's caption and a {@link HardNegatives} caption
     * of each kind (negatives drawn from {@code seed}): near 1, a UNet reading the sequence can
     * hardly tell that attribute apart. Only substitutions count (a negative of as many words as
     * the caption): an inserted or dropped word shifts every later position, which lowers the
     * cosine whatever the tower reads. Kinds that cannot contradict an example skip it.
     */
    public static Map<HardNegatives.Kind, Double> heldOutCosine(
            CLIPModel model, CLIPTokenizer tokenizer, List<WorldExample> examples, long seed, NDManager manager) {
        Map<HardNegatives.Kind, Double> out = new EnumMap<>(HardNegatives.Kind.class);
        for (HardNegatives.Kind kind : HardNegatives.Kind.values()) {
            List<HardNegatives.Pair> pairs = HardNegatives.pairs(examples, kind, seed).stream()
                    .filter(p -> words(p.negative()) == words(p.example().caption())).toList();
            double sum = 0;
            int n = 0;
            for (int start = 0; start < pairs.size(); start += 100) {
                List<HardNegatives.Pair> chunk = pairs.subList(start, Math.min(pairs.size(), start + 100));
                List<String> own = chunk.stream().map(p -> p.example().caption()).toList();
                List<String> negative = chunk.stream().map(HardNegatives.Pair::negative).toList();
                try (NDManager m = manager.newSubManager()) {
                    NDArray a = model.textModel().forward(tokenizer.encode(own).inputIds(m), null).lastHiddenState();
                    NDArray b = model.textModel().forward(tokenizer.encode(negative).inputIds(m), null).lastHiddenState();
                    sum += cosine(a, b).sum().getFloat();
                    n += own.size();
                }
            }
            if (n > 0) {
                out.put(kind, sum / n);
            }
        }
        return out;
    }

    private static int words(String caption) {
        return caption.trim().split("\\s+").length;
    }
}
