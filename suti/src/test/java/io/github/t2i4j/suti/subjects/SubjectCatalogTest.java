package io.github.t2i4j.suti.subjects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.t2i4j.core.world.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SubjectCatalogTest {

    private static final SubjectCatalog CATALOG = SubjectCatalog.load();

    @Test
    void shippedFileEqualsTheGenerator() throws IOException {
        String shipped;
        try (InputStream in = SubjectCatalog.class.getResourceAsStream(SubjectCatalog.RESOURCE)) {
            assertNotNull(in, SubjectCatalog.RESOURCE);
            shipped = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(
                SubjectCatalog.generate().jsonl(),
                shipped,
                "subject catalog drifted: regenerate with SubjectCatalog.main and bump VERSION");
    }

    @Test
    void subjectsFollowFromTheirSeedsAndSurviveJson() {
        for (Subject s : CATALOG.all()) {
            assertEquals(Subject.fromSeed(s.id(), s.split(), s.seed()), s, s.describe());
            assertEquals(s, SubjectCatalog.parse(io.github.t2i4j.core.world.WorldJson.toLine(SubjectCatalog.json(s))));
        }
        // a different seed gives a different subject
        Subject a = CATALOG.get(0);
        assertNotEquals(a.pattern(), Subject.fromSeed(0, SubjectSplit.TRAIN, a.seed() + 1).pattern());
    }

    @Test
    void splitsAreDisjointBySeedRangeAndAppearance() {
        assertEquals(SubjectCatalog.TRAINING, CATALOG.training().size());
        assertEquals(SubjectCatalog.HELD_OUT, CATALOG.heldOut().size());
        List<Subject> all = CATALOG.all();
        Set<Long> seeds = new HashSet<>();
        for (int i = 0; i < all.size(); i++) {
            Subject s = all.get(i);
            assertEquals(i, s.id());
            assertEquals(i < SubjectCatalog.TRAINING ? SubjectSplit.TRAIN : SubjectSplit.HELD_OUT, s.split());
            assertTrue(SubjectCatalog.inRange(s.split(), s.seed()), s.describe());
            for (SubjectSplit other : SubjectSplit.values()) {
                if (other != s.split()) {
                    assertTrue(!SubjectCatalog.inRange(other, s.seed()), s.describe() + " in the other range");
                }
            }
            assertTrue(seeds.add(s.seed()));
        }
        // every two subjects, within or across splits, look clearly different
        int[][] maps = all.stream().map(Subject::paintMap).toArray(int[][]::new);
        double worst = 0;
        for (int i = 0; i < maps.length; i++) {
            for (int j = i + 1; j < maps.length; j++) {
                assertTrue(!all.get(i).sameAppearance(all.get(j)));
                worst = Math.max(worst, Subject.similarity(maps[i], maps[j]));
            }
        }
        assertTrue(worst <= SubjectCatalog.MAX_SIMILARITY, "most similar pair " + worst);
    }

    @Test
    void patternsUseTwoOrThreeDistinctVisiblePaints() {
        Map<Shape, Integer> heldOutShapes = new EnumMap<>(Shape.class);
        for (Subject s : CATALOG.all()) {
            List<Paint> paints = s.pattern().paints();
            assertTrue(paints.size() == 2 || paints.size() == 3, s.describe() + " " + paints);
            for (int i = 0; i < paints.size(); i++) {
                for (int j = i + 1; j < paints.size(); j++) {
                    assertTrue(paints.get(i).distance(paints.get(j)) >= SubjectPattern.MIN_PAINT_DISTANCE);
                }
            }
            for (double share : s.pattern().shares(s.shape())) {
                assertTrue(share >= SubjectPattern.MIN_SHARE, s.describe() + " share " + share);
            }
            if (s.split() == SubjectSplit.HELD_OUT) {
                heldOutShapes.merge(s.shape(), 1, Integer::sum);
            }
        }
        assertEquals(Shape.values().length, heldOutShapes.size(), "every class among the held-out subjects");
    }

    @Test
    void similarityIsOneForItselfAndLowForOthers() {
        Subject s = CATALOG.get(3);
        assertEquals(1.0, s.similarity(s), 1e-12);
        Subject recoloured = new Subject(s.id(), s.split(), s.seed(), s.shape(),
                new SubjectPattern(s.pattern().arrangement(), farPaint(s.pattern().body()), s.pattern().marks()));
        assertTrue(s.similarity(recoloured) < 0.95, "a repainted body lowers similarity");
        Subject other = Subject.fromSeed(999, SubjectSplit.TRAIN, new SplittableRandom(7).nextLong());
        assertTrue(s.similarity(other) < 1);
    }

    private static Paint farPaint(Paint p) {
        for (Paint q : Paint.ALL) {
            if (q.distance(p) > Subject.COLOUR_TOLERANCE) {
                return q;
            }
        }
        throw new AssertionError();
    }
}
