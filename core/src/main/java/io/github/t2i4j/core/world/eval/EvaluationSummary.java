package io.github.t2i4j.core.world.eval;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.world.Category;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Aggregates many {@link Evaluation}s the way T2I-CompBench reports: per category the mean score (mean
 * fraction of requirements met) and the all-correct rate; {@code overall} is the mean of the six
 * T2I-CompBench categories' mean scores ({@link Category#COMPBENCH}, those present; a full evaluation
 * has all six), so every category weighs the same whatever its number of prompts. Single-object prompts
 * ({@link Category#SINGLE}) are reported but not part of overall.
 *
 * <p>{@code categories} maps {@link Category#key()} to its statistics, in {@link Category} order.
 * {@link #toJson()} gives the metrics.json fragment: {@code {"categories": {"color": 0.93, ...},
 * "overall": ..., "all_correct": {...}, "counts": {...}, "single": ..., "images": N}}.
 */
public record EvaluationSummary(Map<String, CategoryStats> categories, Double overall, int images) {

    /** One category: number of prompts, mean score and fraction of prompts with every requirement met. */
    public record CategoryStats(int count, double score, double allCorrect) {}

    public EvaluationSummary {
        categories = Collections.unmodifiableMap(new LinkedHashMap<>(categories));
    }

    /** Summary of these evaluations. */
    public static EvaluationSummary of(Iterable<Evaluation> evaluations) {
        Builder b = new Builder();
        for (Evaluation e : evaluations) {
            b.add(e);
        }
        return b.build();
    }

    /** Mean score of a category, or null if it has no prompts. */
    public Double score(Category category) {
        CategoryStats s = categories.get(category.key());
        return s == null ? null : s.score();
    }

    /** All-correct rate of a category, or null if it has no prompts. */
    public Double allCorrect(Category category) {
        CategoryStats s = categories.get(category.key());
        return s == null ? null : s.allCorrect();
    }

    /** Mean score per T2I-CompBench category present (the metrics.json "categories" object). */
    public Map<String, Double> compBenchScores() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Category c : Category.COMPBENCH) {
            CategoryStats s = categories.get(c.key());
            if (s != null) {
                out.put(c.key(), s.score());
            }
        }
        return out;
    }

    /** The metrics.json fragment (see the class comment). */
    public JsonObject toJson() {
        JsonObject root = new JsonObject();
        JsonObject scores = new JsonObject();
        compBenchScores().forEach(scores::addProperty);
        root.add("categories", scores);
        root.addProperty("overall", overall);
        JsonObject all = new JsonObject();
        JsonObject counts = new JsonObject();
        categories.forEach((k, s) -> {
            all.addProperty(k, s.allCorrect());
            counts.addProperty(k, s.count());
        });
        root.add("all_correct", all);
        root.add("counts", counts);
        CategoryStats single = categories.get(Category.SINGLE.key());
        if (single != null) {
            root.addProperty("single", single.score());
        }
        root.addProperty("images", images);
        return root;
    }

    /** {@link #toJson()} pretty-printed. */
    public String toJsonString() {
        return new GsonBuilder().setPrettyPrinting().create().toJson(toJson());
    }

    /** Accumulates evaluations one at a time (e.g. while a generator runs). Not thread-safe. */
    public static final class Builder {
        private final Map<Category, double[]> sums = new EnumMap<>(Category.class); // count, score, allCorrect
        private int images;

        /** Adds one evaluation. */
        public Builder add(Evaluation e) {
            double[] s = sums.computeIfAbsent(e.category(), c -> new double[3]);
            s[0]++;
            s[1] += e.score();
            s[2] += e.allCorrect() ? 1 : 0;
            images++;
            return this;
        }

        public EvaluationSummary build() {
            Map<String, CategoryStats> out = new LinkedHashMap<>();
            double overallSum = 0;
            int overallCount = 0;
            for (Category c : Category.values()) {
                double[] s = sums.get(c);
                if (s == null) {
                    continue;
                }
                CategoryStats stats = new CategoryStats((int) s[0], s[1] / s[0], s[2] / s[0]);
                out.put(c.key(), stats);
                if (c.isCompBench()) {
                    overallSum += stats.score();
                    overallCount++;
                }
            }
            return new EvaluationSummary(out, overallCount == 0 ? null : overallSum / overallCount, images);
        }
    }
}
