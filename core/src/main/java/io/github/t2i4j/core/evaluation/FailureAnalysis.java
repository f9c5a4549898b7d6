package io.github.t2i4j.core.evaluation;

import io.github.t2i4j.core.world.Category;
import io.github.t2i4j.core.world.CompositionPrompt;
import io.github.t2i4j.core.world.ObjectSpec;
import io.github.t2i4j.core.world.Requirement;
import io.github.t2i4j.core.world.WorldSplit;
import io.github.t2i4j.core.world.eval.DetectedObject;
import io.github.t2i4j.core.world.eval.Evaluation;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Why object requirements fail: for every prompt object the generator did not draw as asked, the
 * nearest recognised object in the image (fewest specified attributes wrong, shape included) and which
 * attributes it got wrong, or "no object" when nothing was recognised. Also the all-correct rate per
 * held-out colour-shape pair (see {@link WorldSplit}), the compositional generalisation the held-out
 * set tests. Tells a reader whether a model confuses colours, shapes, textures or sizes, and which
 * unseen pair it cannot draw.
 */
public final class FailureAnalysis {

    /** The attribute a nearest object got wrong, or that no object was there at all. */
    public enum Error {
        COLOUR,
        SHAPE,
        TEXTURE,
        SIZE,
        NO_OBJECT;

        String word() {
            return name().toLowerCase(Locale.ROOT).replace('_', ' ');
        }
    }

    private final Map<Category, int[]> objectRequirements = new EnumMap<>(Category.class);
    private final Map<Category, EnumMap<Error, Integer>> errors = new EnumMap<>(Category.class);
    private final Map<String, Integer> confusions = new TreeMap<>();
    private final Map<String, int[]> heldOutPairs = new TreeMap<>();

    /** Adds one judged image and the prompt it was judged against. */
    public void add(CompositionPrompt prompt, Evaluation evaluation) {
        List<Requirement> reqs = prompt.requirements();
        int[] counts = objectRequirements.computeIfAbsent(prompt.category(), c -> new int[2]);
        EnumMap<Error, Integer> byError = errors.computeIfAbsent(prompt.category(), c -> new EnumMap<>(Error.class));
        for (int i = 0; i < reqs.size(); i++) {
            if (!(reqs.get(i) instanceof Requirement.HasObject h)) {
                continue;
            }
            counts[0]++;
            if (evaluation.requirements().get(i).met()) {
                continue;
            }
            counts[1]++;
            DetectedObject d = nearest(h.spec(), evaluation.objects());
            for (Error e : explain(h.spec(), evaluation.objects())) {
                byError.merge(e, 1, Integer::sum);
                String confusion = switch (e) {
                    case COLOUR -> h.spec().colour().word() + " → " + d.colour().word();
                    case SHAPE -> h.spec().shape().word() + " → " + d.shape().word();
                    case TEXTURE -> h.spec().texture().word() + " → " + d.texture().word();
                    case SIZE -> h.spec().size().word() + " → " + d.size().word();
                    case NO_OBJECT -> null;
                };
                if (confusion != null) {
                    confusions.merge(confusion, 1, Integer::sum);
                }
            }
        }
        if (prompt.category() == Category.SINGLE) {
            ObjectSpec spec = prompt.objects().get(0);
            if (spec.isHeldOutCombination()) {
                int[] pair = heldOutPairs.computeIfAbsent(
                        spec.colour().word() + " " + spec.shape().word(), k -> new int[2]);
                pair[0]++;
                pair[1] += evaluation.allCorrect() ? 1 : 0;
            }
        }
    }

    /**
     * The attributes the nearest recognised object gets wrong ({@link Error#NO_OBJECT} alone when none
     * is recognised). An empty list means some object matches the spec (the requirement failed only
     * because that object was taken by another prompt object).
     */
    public static List<Error> explain(ObjectSpec spec, List<DetectedObject> objects) {
        DetectedObject d = nearest(spec, objects);
        if (d == null) {
            return List.of(Error.NO_OBJECT);
        }
        return wrong(spec, d);
    }

    private static List<Error> wrong(ObjectSpec spec, DetectedObject d) {
        List<Error> out = new ArrayList<>();
        if (spec.colour() != null && spec.colour() != d.colour()) {
            out.add(Error.COLOUR);
        }
        if (spec.shape() != d.shape()) {
            out.add(Error.SHAPE);
        }
        if (spec.texture() != null && spec.texture() != d.texture()) {
            out.add(Error.TEXTURE);
        }
        if (spec.size() != null && spec.size() != d.size()) {
            out.add(Error.SIZE);
        }
        return out;
    }

    /** The recognised object with the fewest wrong attributes (the first, largest, on ties), or null. */
    private static DetectedObject nearest(ObjectSpec spec, List<DetectedObject> objects) {
        DetectedObject best = null;
        int bestWrong = Integer.MAX_VALUE;
        for (DetectedObject d : objects) {
            if (!d.recognised()) {
                continue;
            }
            int w = wrong(spec, d).size();
            if (w < bestWrong) {
                best = d;
                bestWrong = w;
            }
        }
        return best;
    }

    /** Errors per category, as counts of the nearest object's wrong attributes. */
    public Map<Category, EnumMap<Error, Integer>> errors() {
        return errors;
    }

    /** Single-object all-correct rate per held-out colour-shape pair, e.g. "purple star" to 0.4. */
    public Map<String, Double> heldOutPairRates() {
        Map<String, Double> out = new LinkedHashMap<>();
        heldOutPairs.forEach((k, v) -> out.put(k, v[0] == 0 ? Double.NaN : (double) v[1] / v[0]));
        return out;
    }

    /** The Markdown section: errors per category, the commonest confusions, the held-out pairs. */
    public String markdown() {
        StringBuilder sb = new StringBuilder("## Where object requirements fail\n\n");
        sb.append("For each prompt object not drawn as asked, the attributes the nearest recognised object got wrong "
                + "(an object can be wrong in several).\n\n");
        sb.append("| category | object requirements | unmet |");
        for (Error e : Error.values()) {
            sb.append(' ').append(e.word()).append(" |");
        }
        sb.append("\n|---|---|---|");
        sb.append("---|".repeat(Error.values().length)).append('\n');
        objectRequirements.forEach((category, c) -> {
            sb.append("| ").append(category.name().toLowerCase(Locale.ROOT)).append(" | ").append(c[0])
                    .append(" | ").append(c[1]).append(" |");
            for (Error e : Error.values()) {
                sb.append(' ').append(errors.get(category).getOrDefault(e, 0)).append(" |");
            }
            sb.append('\n');
        });
        if (!confusions.isEmpty()) {
            sb.append("\nCommonest confusions (asked → drawn): ");
            List<String> top = confusions.entrySet().stream()
                    .sorted((a, b) -> b.getValue() - a.getValue())
                    .limit(8)
                    .map(e -> e.getKey() + " " + e.getValue())
                    .toList();
            sb.append(String.join(", ", top)).append(".\n");
        }
        if (!heldOutPairs.isEmpty()) {
            sb.append("\nSingle objects by held-out colour-shape pair (never drawn in training):\n\n");
            sb.append("| pair | prompts | all-correct |\n|---|---|---|\n");
            heldOutPairs.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "| %s | %d | %.3f |%n",
                    k, v[0], (double) v[1] / v[0])));
        }
        return sb.append('\n').toString();
    }
}
