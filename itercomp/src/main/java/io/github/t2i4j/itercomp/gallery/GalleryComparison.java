package io.github.t2i4j.itercomp.gallery;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.evaluation.CompositionBenchmark;
import io.github.t2i4j.core.io.AtomicFiles;
import io.github.t2i4j.core.world.Category;
import io.github.t2i4j.core.world.eval.EvaluationSummary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The comparison of a {@link ModelGallery}'s members on the held-out prompts ({@link
 * CompositionBenchmark} reports): per category each member's all-correct rate and mean score (the
 * evaluator's), the overall score, CLIP score, FID and seconds per image; which member leads each
 * category; and whether the preferences really differ, which IterComp's preference data needs.
 *
 * <p>Categories are the six T2I-CompBench ones in {@link Category#COMPBENCH} order, then {@link
 * Category#SINGLE}, those the reports hold; every report must hold the same categories with the
 * same numbers of prompts (the benchmark takes the first N held-out prompts of each, so they are
 * the same prompts). A category's leaders are the members with the highest all-correct rate (ties
 * all lead); none when no member got any of its prompts all correct. {@link #preferencesDiffer()}:
 * no member leads (or shares the lead of) every T2I-CompBench category that has a leader, so
 * different members lead different categories; {@link Category#SINGLE} is shown but is no
 * composition preference.
 *
 * <p>Pure data: {@link #markdown()} and {@link #toJson()} build text; only {@link #write(Path)}
 * touches files.
 */
public final class GalleryComparison {
    /** The Markdown table's file name in {@link #write(Path)}'s folder. */
    public static final String MARKDOWN_FILE = "gallery.md";
    /** The JSON file's name in {@link #write(Path)}'s folder. */
    public static final String JSON_FILE = "gallery.json";

    /** All-correct rates this close count as a tie (they are ratios of the same prompt counts). */
    private static final double TIE = 1e-9;

    private final List<CompositionBenchmark.Report> reports;
    private final List<Category> categories;
    private final Map<Category, Integer> prompts;
    private final Map<Category, List<String>> leaders;

    private GalleryComparison(List<CompositionBenchmark.Report> reports, List<Category> categories,
            Map<Category, Integer> prompts, Map<Category, List<String>> leaders) {
        this.reports = reports;
        this.categories = categories;
        this.prompts = prompts;
        this.leaders = leaders;
    }

    /**
     * Compares the members' reports (one per member, in the gallery's order).
     *
     * @throws IllegalArgumentException if there is no report, a report or its summary is null, a
     *     name is empty or repeated, the reports hold no category, or they differ in their
     *     categories or in a category's number of prompts
     */
    public static GalleryComparison of(List<CompositionBenchmark.Report> reports) {
        if (reports == null || reports.isEmpty()) {
            throw new IllegalArgumentException("no reports to compare");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < reports.size(); i++) {
            CompositionBenchmark.Report r = reports.get(i);
            if (r == null || r.summary() == null) {
                throw new IllegalArgumentException("report " + i + (r == null ? " is null" : " (" + r.generator()
                        + ") has no summary"));
            }
            if (r.generator() == null || r.generator().isBlank()) {
                throw new IllegalArgumentException("report " + i + " has no generator name");
            }
            if (!names.add(r.generator())) {
                throw new IllegalArgumentException("two reports are named \"" + r.generator() + "\"");
            }
        }
        CompositionBenchmark.Report first = reports.get(0);
        List<Category> categories = categoriesOf(first.summary());
        if (categories.isEmpty()) {
            throw new IllegalArgumentException("the reports hold no category (" + first.generator() + " judged "
                    + first.summary().images() + " images)");
        }
        Map<Category, Integer> prompts = new EnumMap<>(Category.class);
        for (Category c : categories) {
            prompts.put(c, first.summary().categories().get(c.key()).count());
        }
        for (CompositionBenchmark.Report r : reports.subList(1, reports.size())) {
            List<Category> own = categoriesOf(r.summary());
            if (!own.equals(categories)) {
                throw new IllegalArgumentException("the reports cover different categories: " + first.generator()
                        + " has " + keys(categories) + ", " + r.generator() + " has " + keys(own));
            }
            for (Category c : categories) {
                int n = r.summary().categories().get(c.key()).count();
                if (n != prompts.get(c)) {
                    throw new IllegalArgumentException("the reports judged different prompts in " + c.key() + ": "
                            + first.generator() + " " + prompts.get(c) + ", " + r.generator() + " " + n);
                }
            }
        }
        Map<Category, List<String>> leaders = new EnumMap<>(Category.class);
        for (Category c : categories) {
            double best = reports.stream().mapToDouble(r -> r.summary().allCorrect(c)).max().orElseThrow();
            leaders.put(c, best <= TIE ? List.of()
                    : reports.stream().filter(r -> r.summary().allCorrect(c) >= best - TIE)
                            .map(CompositionBenchmark.Report::generator).toList());
        }
        return new GalleryComparison(List.copyOf(reports), List.copyOf(categories),
                Collections.unmodifiableMap(prompts), Collections.unmodifiableMap(leaders));
    }

    /** The members' reports, in the order given. */
    public List<CompositionBenchmark.Report> reports() {
        return reports;
    }

    /** The members' names, in the order given. */
    public List<String> members() {
        return reports.stream().map(CompositionBenchmark.Report::generator).toList();
    }

    /** The report of member {@code name}. */
    public CompositionBenchmark.Report report(String name) {
        return reports.stream().filter(r -> r.generator().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no member named \"" + name + "\"; members: " + members()));
    }

    /** The categories compared: T2I-CompBench order, then SINGLE. */
    public List<Category> categories() {
        return categories;
    }

    /** Prompts judged per category (the same for every member). */
    public Map<Category, Integer> prompts() {
        return prompts;
    }

    /**
     * Each category's leaders (highest all-correct rate; several when tied; none when no member got
     * any of its prompts all correct), in the members' order.
     */
    public Map<Category, List<String>> leaders() {
        return leaders;
    }

    /** The leaders of {@code category}: empty if no member got one of its prompts all correct, or if it was not compared. */
    public List<String> leaders(Category category) {
        return leaders.getOrDefault(category, List.of());
    }

    /** The categories {@code member} leads or shares the lead of. */
    public List<Category> categoriesLedBy(String member) {
        report(member);
        return categories.stream().filter(c -> leaders.get(c).contains(member)).toList();
    }

    /**
     * Whether different members lead different categories: at least two members, at least one
     * T2I-CompBench category with a leader, and no member leads (or shares the lead of) every
     * T2I-CompBench category with a leader. False when one member is best (or tied best) everywhere.
     */
    public boolean preferencesDiffer() {
        List<Category> composition = compositionCategories();
        if (reports.size() < 2 || composition.isEmpty()) {
            return false;
        }
        Set<String> everywhere = new HashSet<>(members());
        for (Category c : composition) {
            everywhere.retainAll(leaders.get(c));
        }
        return everywhere.isEmpty();
    }

    /**
     * The Markdown page: the table (one row per member; each category cell "all-correct / score",
     * the category's leaders in bold), then which member leads which category and whether the
     * preferences differ.
     */
    public String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# IterComp model gallery\n\n");
        sb.append("Held-out prompts of the bundled world, ").append(promptsText())
                .append(", judged from pixels by the simulated annotator. Each category cell: all-correct rate / mean "
                        + "score; **bold**: the category's leader (highest all-correct rate above 0, ties all bold). Overall: mean "
                        + "score over the T2I-CompBench categories compared. FID and CLIP score with the world CLIP "
                        + "(n/a: not computed).\n\n");
        sb.append("| member |");
        categories.forEach(c -> sb.append(' ').append(c.key()).append(" |"));
        sb.append(" overall | CLIP score | FID | s/image |\n|---|");
        sb.append("---|".repeat(categories.size() + 4)).append('\n');
        for (CompositionBenchmark.Report r : reports) {
            sb.append("| ").append(escape(r.generator())).append(" |");
            for (Category c : categories) {
                String rate = fmt(r.summary().allCorrect(c), 3);
                boolean lead = leaders.get(c).contains(r.generator());
                sb.append(' ').append(lead ? "**" + rate + "**" : rate).append(" / ")
                        .append(fmt(r.summary().score(c), 3)).append(" |");
            }
            sb.append(' ').append(fmt(r.summary().overall(), 3)).append(" | ").append(fmt(r.clipScore(), 3))
                    .append(" | ").append(fmt(r.fid(), 2)).append(" | ").append(fmt(r.secondsPerImage(), 3))
                    .append(" |\n");
        }
        sb.append("\nLeaders: ");
        sb.append(categories.stream()
                .map(c -> c.key() + ": " + (leaders.get(c).isEmpty() ? "none (no prompt all correct)"
                        : leaders.get(c).stream().map(GalleryComparison::escape).collect(Collectors.joining(", "))
                                + (leaders.get(c).size() > 1 ? " (tie)" : "")))
                .collect(Collectors.joining("; ")));
        sb.append(".\n\n");
        for (String m : members()) {
            List<Category> led = categoriesLedBy(m);
            sb.append("- ").append(escape(m)).append(led.isEmpty() ? " leads no category"
                    : " leads " + led.stream().map(Category::key).collect(Collectors.joining(", "))).append('\n');
        }
        sb.append("\nPreferences differ: ").append(preferencesText()).append(".\n");
        return sb.toString();
    }

    /**
     * The JSON object: {@code members} (names), {@code categories} (keys), {@code prompts} (per
     * category), {@code results} (per member, in order: name, all_correct and score per category,
     * overall, clip_score, fid, seconds_per_image, images, leads), {@code leaders} (per category)
     * and {@code preferences_differ}. Numbers not computed (or not finite) are null.
     */
    public JsonObject toJson() {
        JsonObject root = new JsonObject();
        JsonArray names = new JsonArray();
        members().forEach(names::add);
        root.add("members", names);
        JsonArray cats = new JsonArray();
        categories.forEach(c -> cats.add(c.key()));
        root.add("categories", cats);
        JsonObject counts = new JsonObject();
        categories.forEach(c -> counts.addProperty(c.key(), prompts.get(c)));
        root.add("prompts", counts);
        JsonArray results = new JsonArray();
        for (CompositionBenchmark.Report r : reports) {
            JsonObject o = new JsonObject();
            o.addProperty("name", r.generator());
            JsonObject all = new JsonObject();
            JsonObject score = new JsonObject();
            for (Category c : categories) {
                all.addProperty(c.key(), finite(r.summary().allCorrect(c)));
                score.addProperty(c.key(), finite(r.summary().score(c)));
            }
            o.add("all_correct", all);
            o.add("score", score);
            o.addProperty("overall", finite(r.summary().overall()));
            o.addProperty("clip_score", finite(r.clipScore()));
            o.addProperty("fid", finite(r.fid()));
            o.addProperty("seconds_per_image", finite(r.secondsPerImage()));
            o.addProperty("images", r.summary().images());
            JsonArray leads = new JsonArray();
            categoriesLedBy(r.generator()).forEach(c -> leads.add(c.key()));
            o.add("leads", leads);
            results.add(o);
        }
        root.add("results", results);
        JsonObject lead = new JsonObject();
        for (Category c : categories) {
            JsonArray a = new JsonArray();
            leaders.get(c).forEach(a::add);
            lead.add(c.key(), a);
        }
        root.add("leaders", lead);
        root.addProperty("preferences_differ", preferencesDiffer());
        return root;
    }

    /** {@link #toJson()} pretty-printed, nulls kept. */
    public String toJsonString() {
        return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(toJson()) + "\n";
    }

    /**
     * Writes {@link #MARKDOWN_FILE} and {@link #JSON_FILE} into {@code dir} (created if needed),
     * each atomically: a temporary file in the same folder, then moved over the target.
     *
     * @return the Markdown file
     */
    public Path write(Path dir) {
        AtomicFiles.writeString(dir.resolve(JSON_FILE), toJsonString());
        Path md = dir.resolve(MARKDOWN_FILE);
        AtomicFiles.writeString(md, markdown());
        return md;
    }

    /** The T2I-CompBench categories compared that have a leader. */
    private List<Category> compositionCategories() {
        return categories.stream().filter(c -> c.isCompBench() && !leaders.get(c).isEmpty()).toList();
    }

    private String preferencesText() {
        List<Category> composition = compositionCategories();
        if (reports.size() < 2) {
            return "no, a single member";
        }
        if (composition.isEmpty()) {
            return categories.stream().anyMatch(Category::isCompBench)
                    ? "no, no member got any prompt of the T2I-CompBench categories compared all correct"
                    : "no, no T2I-CompBench category compared";
        }
        if (preferencesDiffer()) {
            return "yes, no member leads every T2I-CompBench category with a leader";
        }
        Set<String> everywhere = new LinkedHashSet<>(members());
        composition.forEach(c -> everywhere.retainAll(leaders.get(c)));
        return "no, " + everywhere.stream().map(GalleryComparison::escape).collect(Collectors.joining(" and "))
                + (everywhere.size() > 1 ? " lead (or tie for the lead in)" : " leads (or ties for the lead in)")
                + " every T2I-CompBench category with a leader";
    }

    private String promptsText() {
        Set<Integer> distinct = new HashSet<>(prompts.values());
        if (distinct.size() == 1) {
            int n = distinct.iterator().next();
            return n + (n == 1 ? " prompt" : " prompts") + " per category";
        }
        Map<String, Integer> byKey = new LinkedHashMap<>();
        categories.forEach(c -> byKey.put(c.key(), prompts.get(c)));
        return "prompts per category " + byKey.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    private static List<Category> categoriesOf(EvaluationSummary summary) {
        List<Category> out = new ArrayList<>();
        for (Category c : Category.COMPBENCH) {
            if (summary.categories().containsKey(c.key())) {
                out.add(c);
            }
        }
        if (summary.categories().containsKey(Category.SINGLE.key())) {
            out.add(Category.SINGLE);
        }
        return out;
    }

    private static List<String> keys(List<Category> categories) {
        return categories.stream().map(Category::key).toList();
    }

    private static Double finite(Double v) {
        return v == null || !Double.isFinite(v) ? null : v;
    }

    private static String fmt(Double v, int decimals) {
        return v == null || !Double.isFinite(v) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static String escape(String name) {
        return name.replace("|", "\\|");
    }

    @Override
    public String toString() {
        return "GalleryComparison" + members() + " leaders " + leaders;
    }
}
