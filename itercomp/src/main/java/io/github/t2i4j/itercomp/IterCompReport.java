package io.github.t2i4j.itercomp;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.io.AtomicFiles;
import io.github.t2i4j.core.io.JsonFiles;
import io.github.t2i4j.core.world.Category;
import io.github.t2i4j.itercomp.preference.Aspect;
import io.github.t2i4j.itercomp.preference.PreferenceStore;
import io.github.t2i4j.itercomp.preference.Ranking;
import io.github.t2i4j.itercomp.reward.RewardModelTraining;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Markdown report of an {@link IterCompLoop} folder, built from the files the stages wrote
 * (so it can be rebuilt at any time): held-out accuracy, FID and CLIP score of the base and of
 * every round; the reward models' held-out pairwise accuracy; how the new members were placed;
 * which gallery member tops the rankings of each aspect; the verdicts the issue asks for.
 */
public final class IterCompReport {
    private IterCompReport() {}

    /** Writes {@code report.md} into {@code dir} (atomically) and returns it. */
    public static Path write(Path dir, int rounds, List<Aspect> aspects, PreferenceStore store) {
        StringBuilder md = new StringBuilder("# IterComp on the world\n\n");
        List<JsonObject> evals = new ArrayList<>();
        for (int r = 0; r <= rounds; r++) {
            Path f = dir.resolve("round-" + r + "/eval/metrics.json");
            evals.add(Files.isRegularFile(f) ? JsonFiles.readObject(f, "evaluation") : null);
        }
        Map<String, JsonObject> gallery = new TreeMap<>();
        Path galleryDir = dir.resolve("round-0/gallery");
        if (Files.isDirectory(galleryDir)) {
            try (var members = Files.list(galleryDir)) {
                members.filter(m -> Files.isRegularFile(m.resolve("metrics.json"))).forEach(m -> gallery.put(
                        m.getFileName().toString(), JsonFiles.readObject(m.resolve("metrics.json"), "evaluation")));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + galleryDir, e);
            }
        }
        Path ablation = dir.resolve("round-1/one-reward/eval/metrics.json");
        JsonObject oneReward = Files.isRegularFile(ablation) ? JsonFiles.readObject(ablation, "evaluation") : null;
        md.append("## Held-out accuracy (all-correct rate per category)\n\n| model |");
        for (Category c : Category.values()) {
            md.append(' ').append(c.key()).append(" |");
        }
        md.append(" overall score | FID | CLIP score | s/image |\n|---|");
        md.append("---|".repeat(Category.values().length + 4)).append('\n');
        for (int r = 0; r <= rounds; r++) {
            row(md, r == 0 ? "base" : "round " + r, evals.get(r));
        }
        gallery.forEach((m, e) -> row(md, "gallery: " + m, e));
        if (oneReward != null) {
            row(md, "round 1, one reward model (ablation)", oneReward);
        }
        JsonObject base = evals.get(0);
        JsonObject last = evals.get(rounds);
        if (base != null && last != null) {
            md.append('\n');
            List<String> worse = new ArrayList<>();
            for (Category c : Category.COMPBENCH) {
                if (value(last.getAsJsonObject("categories").get(c.key())) <= value(base.getAsJsonObject("categories").get(c.key()))) {
                    worse.add(c.key());
                }
            }
            md.append(worse.isEmpty() ? "- The last round beats the base on every category's score.\n"
                    : "- The last round does **not** beat the base on: " + String.join(", ", worse) + ".\n");
            double fb = value(base.get("fid"));
            double fl = value(last.get("fid"));
            if (!Double.isNaN(fb) && !Double.isNaN(fl)) {
                md.append(String.format(Locale.ROOT, "- FID %.3f against the base's %.3f: %+.1f%% (the bound is +20%%).%n",
                        fl, fb, 100 * (fl / fb - 1)));
            }
            if (!gallery.isEmpty()) {
                List<String> ahead = new ArrayList<>();
                gallery.forEach((m, e) -> {
                    if (value(e.get("overall")) >= value(last.get("overall"))) {
                        ahead.add(m);
                    }
                });
                md.append(ahead.isEmpty() ? "- The last round beats every gallery member on the overall score.\n"
                        : "- Gallery members at or above the last round's overall score: " + String.join(", ", ahead) + ".\n");
            }
            JsonObject first = evals.get(1);
            if (rounds > 1 && first != null) {
                md.append(String.format(Locale.ROOT, "- One round against iterative (%d rounds): overall %.3f -> %.3f.%n",
                        rounds, value(first.get("overall")), value(last.get("overall"))));
            }
            if (oneReward != null && first != null) {
                md.append(String.format(Locale.ROOT, "- One reward model against three (round 1): overall %.3f with one,"
                        + " %.3f with three.%n", value(oneReward.get("overall")), value(first.get("overall"))));
            }
        }
        md.append("\n## Reward models\n\nHeld-out pairwise accuracy: on all pairs / on the pairs the annotator's score decides"
                + " (the rest are ties broken by the CLIP score) / the CLIP score's own accuracy on those decided pairs (the"
                + " baseline a reward model must beat).\n\n| round |");
        aspects.forEach(a -> md.append(' ').append(a.key()).append(" |"));
        md.append(" insertion agreement with the annotator |\n|---|").append("---|".repeat(aspects.size() + 1)).append('\n');
        for (int r = 1; r <= rounds; r++) {
            md.append("| ").append(r).append(" |");
            for (Aspect a : aspects) {
                Path f = dir.resolve("round-" + r + "/reward/" + a.key() + "/metrics.json");
                if (Files.isRegularFile(f)) {
                    JsonObject o = JsonFiles.readObject(f, "reward metrics");
                    md.append(String.format(Locale.ROOT, " %s / %s / %s (%d pairs) |", num(o.get("held_out_accuracy")),
                            num(o.get("held_out_decided_accuracy")), num(o.get("clip_decided_accuracy")),
                            o.get("held_out_pairs").getAsInt()));
                } else {
                    md.append(" (not yet) |");
                }
            }
            Path ins = dir.resolve("round-" + r + "/insertion.json");
            md.append(' ').append(Files.isRegularFile(ins)
                    ? num(JsonFiles.readObject(ins, "insertion").get("agreement_with_annotator")) : "-").append(" |\n");
        }
        Path one = dir.resolve("round-1/one-reward/reward/" + RewardModelTraining.name(aspects) + "/metrics.json");
        if (aspects.size() > 1 && Files.isRegularFile(one)) {
            JsonObject o = JsonFiles.readObject(one, "reward metrics");
            JsonObject by = o.getAsJsonObject("held_out_accuracy_by_aspect");
            md.append("| 1, one model of every aspect (ablation; all pairs ").append(num(o.get("held_out_accuracy")))
                    .append(") |");
            aspects.forEach(a -> md.append(' ').append(by == null ? "-" : num(by.get(a.key()))).append(" |"));
            md.append(" - |\n");
        }
        md.append("\n## Preference data: how often each member tops a ranking\n\n");
        md.append("The members' composition preferences, as the simulated annotator sees them (members added in later "
                + "rounds were placed by the reward models).\n\n| aspect | rankings | pairs |");
        Map<String, Integer> members = new TreeMap<>();
        store.rankings().forEach(k -> k.images().forEach(i -> members.putIfAbsent(i.member(), 0)));
        members.keySet().forEach(m -> md.append(' ').append(m).append(" |"));
        md.append("\n|---|---|---|").append("---|".repeat(members.size())).append('\n');
        for (Aspect a : aspects) {
            List<Ranking> rs = store.rankings(a);
            Map<String, Integer> top = new TreeMap<>();
            members.keySet().forEach(m -> top.put(m, 0));
            int pairs = 0;
            for (Ranking k : rs) {
                top.merge(k.images().get(0).member(), 1, Integer::sum);
                pairs += k.pairs().size();
            }
            md.append("| ").append(a.key()).append(" | ").append(rs.size()).append(" | ").append(pairs).append(" |");
            for (String m : members.keySet()) {
                md.append(String.format(Locale.ROOT, " %.2f |", rs.isEmpty() ? 0.0 : (double) top.get(m) / rs.size()));
            }
            md.append('\n');
        }
        if (Files.isRegularFile(dir.resolve("comparison.png"))) {
            md.append("\n## Same prompts and seeds: base, then each round\n\n![comparison](comparison.png)\n");
        }
        Path out = dir.resolve("report.md");
        AtomicFiles.writeString(out, md.toString());
        return out;
    }

    private static void row(StringBuilder md, String label, JsonObject e) {
        md.append("| ").append(label).append(" |");
        if (e == null) {
            md.append(" (not yet) |".repeat(Category.values().length + 4)).append('\n');
            return;
        }
        for (Category c : Category.values()) {
            md.append(' ').append(num(e.getAsJsonObject("all_correct").get(c.key()))).append(" |");
        }
        md.append(' ').append(num(e.get("overall"))).append(" | ").append(num(e.get("fid"))).append(" | ")
                .append(num(e.get("clip_score"))).append(" | ").append(num(e.get("seconds_per_image"))).append(" |\n");
    }

    private static double value(JsonElement e) {
        return e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
    }

    private static String num(JsonElement e) {
        double v = value(e);
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }
}
