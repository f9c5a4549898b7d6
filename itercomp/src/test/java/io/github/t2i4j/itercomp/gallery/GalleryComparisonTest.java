package io.github.t2i4j.itercomp.gallery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.t2i4j.core.evaluation.CompositionBenchmark.Report;
import io.github.t2i4j.core.world.Category;
import io.github.t2i4j.core.world.eval.EvaluationSummary;
import io.github.t2i4j.core.world.eval.EvaluationSummary.CategoryStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Leaders, ties, whether preferences differ, the Markdown and JSON of the gallery's comparison. */
class GalleryComparisonTest {
    private static final int PROMPTS = 20;

    @TempDir Path tmp;

    /** A report whose all-correct rates are given per category (score: halfway between it and 1). */
    private static Report report(String name, Map<Category, Double> allCorrect, Double fid) {
        return report(name, allCorrect, fid, PROMPTS);
    }

    private static Report report(String name, Map<Category, Double> allCorrect, Double fid, int prompts) {
        Map<String, CategoryStats> stats = new LinkedHashMap<>();
        double sum = 0;
        int n = 0;
        for (Map.Entry<Category, Double> e : allCorrect.entrySet()) {
            double score = (1 + e.getValue()) / 2;
            stats.put(e.getKey().key(), new CategoryStats(prompts, score, e.getValue()));
            if (e.getKey().isCompBench()) {
                sum += score;
                n++;
            }
        }
        EvaluationSummary summary = new EvaluationSummary(stats, n == 0 ? null : sum / n, prompts * stats.size());
        return new Report(name, summary, fid == null ? null : 0.3, fid, 0.25);
    }

    /** Rates per category: pairs of category and rate. */
    private static Map<Category, Double> rates(Object... pairs) {
        Map<Category, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((Category) pairs[i], (Double) pairs[i + 1]);
        }
        return m;
    }

    /** a leads color and single, b leads spatial, both share non_spatial. */
    private static List<Report> twoMembers() {
        return List.of(
                report("a", rates(Category.COLOR, 0.80, Category.SPATIAL, 0.10, Category.NON_SPATIAL, 0.50,
                        Category.SINGLE, 0.90), 2.5),
                report("b", rates(Category.SINGLE, 0.70, Category.SPATIAL, 0.65, Category.COLOR, 0.40,
                        Category.NON_SPATIAL, 0.50), null));
    }

    @Test
    void leadersTiesAndDifferentPreferences() {
        GalleryComparison c = GalleryComparison.of(twoMembers());
        assertEquals(List.of("a", "b"), c.members());
        assertEquals(List.of(Category.COLOR, Category.SPATIAL, Category.NON_SPATIAL, Category.SINGLE), c.categories(),
                "T2I-CompBench order, then single, whatever the reports' order");
        assertEquals(List.of("a"), c.leaders(Category.COLOR));
        assertEquals(List.of("b"), c.leaders(Category.SPATIAL));
        assertEquals(List.of("a", "b"), c.leaders(Category.NON_SPATIAL), "a tie: both lead");
        assertEquals(List.of("a"), c.leaders(Category.SINGLE));
        assertEquals(List.of(), c.leaders(Category.TEXTURE), "not compared");
        assertEquals(List.of(Category.COLOR, Category.NON_SPATIAL, Category.SINGLE), c.categoriesLedBy("a"));
        assertEquals(List.of(Category.SPATIAL, Category.NON_SPATIAL), c.categoriesLedBy("b"));
        assertEquals(PROMPTS, c.prompts().get(Category.SPATIAL));
        assertTrue(c.preferencesDiffer());
    }

    @Test
    void oneMemberLeadingOrTyingEverywhereIsNoDifference() {
        GalleryComparison c = GalleryComparison.of(List.of(
                report("a", rates(Category.COLOR, 0.8, Category.SPATIAL, 0.5), null),
                report("b", rates(Category.COLOR, 0.3, Category.SPATIAL, 0.5), null),
                report("c", rates(Category.COLOR, 0.1, Category.SPATIAL, 0.2), null)));
        assertEquals(List.of("a", "b"), c.leaders(Category.SPATIAL));
        assertFalse(c.preferencesDiffer(), "a leads color and shares the lead of spatial");
        assertEquals(List.of(), c.categoriesLedBy("c"));
        assertTrue(c.markdown().contains("Preferences differ: no, a leads (or ties for the lead in) every"), c.markdown());
        assertTrue(c.markdown().contains("- c leads no category"), c.markdown());

        // everyone tied everywhere: no preference either
        GalleryComparison tied = GalleryComparison.of(List.of(
                report("a", rates(Category.COLOR, 0.5), null), report("b", rates(Category.COLOR, 0.5), null)));
        assertEquals(List.of("a", "b"), tied.leaders(Category.COLOR));
        assertFalse(tied.preferencesDiffer());
        assertTrue(tied.markdown().contains("color: a, b (tie)"), tied.markdown());

        // nobody right: nobody leads, and the category shows no preference
        GalleryComparison none = GalleryComparison.of(List.of(
                report("a", rates(Category.COLOR, 0.0, Category.SPATIAL, 0.4), null),
                report("b", rates(Category.COLOR, 0.0, Category.SPATIAL, 0.2), null)));
        assertEquals(List.of(), none.leaders(Category.COLOR));
        assertEquals(List.of("a"), none.leaders(Category.SPATIAL));
        assertFalse(none.preferencesDiffer(), "a leads the only category with a leader");
        assertTrue(none.markdown().contains("color: none (no prompt all correct); spatial: a."), none.markdown());
        assertTrue(none.markdown().contains("| b | 0.000 / 0.500 | 0.200 / 0.600 |"), none.markdown());
        GalleryComparison zero = GalleryComparison.of(List.of(
                report("a", rates(Category.COLOR, 0.0), null), report("b", rates(Category.COLOR, 0.0), null)));
        assertFalse(zero.preferencesDiffer());
        assertTrue(zero.markdown().contains("Preferences differ: no, no member got any prompt"), zero.markdown());
        assertEquals("[]", zero.toJson().getAsJsonObject("leaders").get("color").toString());
    }

    @Test
    void singleObjectsAndASingleMemberShowNoCompositionPreference() {
        GalleryComparison c = GalleryComparison.of(List.of(
                report("a", rates(Category.COLOR, 0.8, Category.SINGLE, 0.2), null),
                report("b", rates(Category.COLOR, 0.3, Category.SINGLE, 0.9), null)));
        assertEquals(List.of("b"), c.leaders(Category.SINGLE));
        assertFalse(c.preferencesDiffer(), "single is reported, but it is no composition preference");

        GalleryComparison onlySingle = GalleryComparison.of(List.of(
                report("a", rates(Category.SINGLE, 0.8), null), report("b", rates(Category.SINGLE, 0.9), null)));
        assertFalse(onlySingle.preferencesDiffer());
        assertTrue(onlySingle.markdown().contains("no T2I-CompBench category compared"), onlySingle.markdown());

        GalleryComparison alone = GalleryComparison.of(List.of(report("a", rates(Category.COLOR, 0.8), null)));
        assertEquals(List.of("a"), alone.leaders(Category.COLOR));
        assertFalse(alone.preferencesDiffer());
    }

    @Test
    void allSixCategoriesWithDifferentLeadersEach() {
        List<Report> reports = new ArrayList<>();
        for (int m = 0; m < 3; m++) {
            Map<Category, Double> r = new EnumMap<>(Category.class);
            for (int k = 0; k < Category.values().length; k++) {
                r.put(Category.values()[k], k % 3 == m ? 0.9 : 0.1 * m);
            }
            reports.add(report("m" + m, r, 1.0 + m));
        }
        GalleryComparison c = GalleryComparison.of(reports);
        assertEquals(Arrays.asList(Category.values()), c.categories());
        assertEquals(List.of("m0"), c.leaders(Category.COLOR));
        assertEquals(List.of("m1"), c.leaders(Category.SHAPE));
        assertEquals(List.of("m2"), c.leaders(Category.TEXTURE));
        assertTrue(c.preferencesDiffer());
    }

    @Test
    void markdownTableBoldsTheLeaders() {
        String md = GalleryComparison.of(twoMembers()).markdown();
        assertTrue(md.startsWith("# IterComp model gallery"), md);
        assertTrue(md.contains("20 prompts per category"), md);
        assertTrue(md.contains("| member | color | spatial | non_spatial | single | overall | CLIP score | FID | s/image |\n"
                + "|---|---|---|---|---|---|---|---|---|\n"), md);
        // a: color 0.800 leads, spatial 0.100 does not, non_spatial tied, single leads; fid 2.50
        assertTrue(md.contains("| a | **0.800** / 0.900 | 0.100 / 0.550 | **0.500** / 0.750 | **0.900** / 0.950 | 0.733 | 0.300 | 2.50 | 0.250 |"),
                md);
        assertTrue(md.contains("| b | 0.400 / 0.700 | **0.650** / 0.825 | **0.500** / 0.750 | 0.700 / 0.850 | 0.758 | n/a | n/a | 0.250 |"),
                md);
        assertTrue(md.contains("Leaders: color: a; spatial: b; non_spatial: a, b (tie); single: a."), md);
        assertTrue(md.contains("- a leads color, non_spatial, single\n- b leads spatial, non_spatial\n"), md);
        assertTrue(md.contains("Preferences differ: yes"), md);
    }

    @Test
    void jsonHoldsEveryNumberAndTheLeaders() {
        JsonObject json = JsonParser.parseString(GalleryComparison.of(twoMembers()).toJsonString()).getAsJsonObject();
        assertEquals("[\"a\",\"b\"]", json.get("members").toString());
        assertEquals("[\"color\",\"spatial\",\"non_spatial\",\"single\"]", json.get("categories").toString());
        assertEquals(PROMPTS, json.getAsJsonObject("prompts").get("single").getAsInt());
        JsonObject b = json.getAsJsonArray("results").get(1).getAsJsonObject();
        assertEquals("b", b.get("name").getAsString());
        assertEquals(0.65, b.getAsJsonObject("all_correct").get("spatial").getAsDouble(), 1e-12);
        assertEquals(0.825, b.getAsJsonObject("score").get("spatial").getAsDouble(), 1e-12);
        assertTrue(b.get("fid").isJsonNull() && b.get("clip_score").isJsonNull(), b.toString());
        assertEquals(0.25, b.get("seconds_per_image").getAsDouble(), 1e-12);
        assertEquals(4 * PROMPTS, b.get("images").getAsInt());
        assertEquals("[\"spatial\",\"non_spatial\"]", b.get("leads").toString());
        assertEquals(2.5, json.getAsJsonArray("results").get(0).getAsJsonObject().get("fid").getAsDouble(), 1e-12);
        assertEquals("[\"a\",\"b\"]", json.getAsJsonObject("leaders").get("non_spatial").toString());
        assertTrue(json.get("preferences_differ").getAsBoolean());
    }

    @Test
    void writeLeavesTheTwoFilesAndNoTemporaryOnes() throws Exception {
        GalleryComparison c = GalleryComparison.of(twoMembers());
        Path dir = tmp.resolve("out/gallery");
        Path md = c.write(dir);
        assertEquals(dir.resolve(GalleryComparison.MARKDOWN_FILE), md);
        assertEquals(c.markdown(), Files.readString(md));
        assertEquals(c.toJsonString(), Files.readString(dir.resolve(GalleryComparison.JSON_FILE)));
        c.write(dir); // over the old ones
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("gallery.json", "gallery.md"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void badInputIsRefusedWithAReason() {
        Report a = report("a", rates(Category.COLOR, 0.5, Category.SPATIAL, 0.5), null);
        assertThrows(IllegalArgumentException.class, () -> GalleryComparison.of(null));
        assertThrows(IllegalArgumentException.class, () -> GalleryComparison.of(List.of()));
        assertThrows(IllegalArgumentException.class, () -> GalleryComparison.of(Arrays.asList(a, null)));
        assertThrows(IllegalArgumentException.class,
                () -> GalleryComparison.of(List.of(a, new Report("b", null, null, null, 0.1))));
        assertThrows(IllegalArgumentException.class,
                () -> GalleryComparison.of(List.of(a, report(" ", rates(Category.COLOR, 0.5, Category.SPATIAL, 0.5), null))));
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> GalleryComparison.of(List.of(a, report("a", rates(Category.COLOR, 0.1, Category.SPATIAL, 0.1), null))));
        assertTrue(twice.getMessage().contains("\"a\""), twice.getMessage());
        IllegalArgumentException cats = assertThrows(IllegalArgumentException.class,
                () -> GalleryComparison.of(List.of(a, report("b", rates(Category.COLOR, 0.5), null))));
        assertTrue(cats.getMessage().contains("different categories") && cats.getMessage().contains("[color]"),
                cats.getMessage());
        IllegalArgumentException counts = assertThrows(IllegalArgumentException.class, () -> GalleryComparison.of(
                List.of(a, report("b", rates(Category.COLOR, 0.5, Category.SPATIAL, 0.5), null, PROMPTS + 1))));
        assertTrue(counts.getMessage().contains("different prompts in color"), counts.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GalleryComparison.of(List.of(report("a", rates(), null))));
        GalleryComparison c = GalleryComparison.of(List.of(a));
        assertThrows(IllegalArgumentException.class, () -> c.categoriesLedBy("nobody"));
    }
}
