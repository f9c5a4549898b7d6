package io.github.t2i4j.core.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SceneSamplerTest {

    @Test
    void sameSeedSameExamples() {
        for (WorldSplit split : WorldSplit.values()) {
            SplittableRandom r1 = new SplittableRandom(42);
            SplittableRandom r2 = new SplittableRandom(42);
            SceneSampler s = new SceneSampler(split);
            for (int i = 0; i < 500; i++) {
                assertEquals(s.sample(r1), s.sample(r2));
            }
        }
        WorldExample a = new SceneSampler(WorldSplit.TRAIN).sample(new SplittableRandom(1));
        WorldExample b = new SceneSampler(WorldSplit.TRAIN).sample(new SplittableRandom(2));
        assertFalse(a.equals(b));
    }

    @Test
    void everySceneSatisfiesItsPrompt() {
        for (WorldSplit split : WorldSplit.values()) {
            SceneSampler sampler = new SceneSampler(split);
            SplittableRandom rng = new SplittableRandom(7);
            Map<Category, Integer> counts = new EnumMap<>(Category.class);
            for (int i = 0; i < 3000; i++) {
                WorldExample e = sampler.sample(rng);
                checkExample(e);
                counts.merge(e.category(), 1, Integer::sum);
            }
            assertEquals(Category.values().length, counts.size(), "all categories drawn: " + counts);
        }
    }

    static void checkExample(WorldExample e) {
        CompositionPrompt p = e.prompt();
        Scene s = e.scene();
        List<SceneObject> objs = s.objects();
        assertEquals(p.objects().size(), objs.size(), e.caption());
        int expected = switch (p.category()) {
            case SINGLE -> 1;
            case COMPLEX -> 3;
            default -> 2;
        };
        assertEquals(expected, objs.size());
        // object i is described by spec i and by no other spec: the assignment is unique
        for (int i = 0; i < objs.size(); i++) {
            for (int j = 0; j < objs.size(); j++) {
                assertEquals(i == j, p.objects().get(i).matches(objs.get(j)), e.caption() + " " + i + "/" + j);
            }
        }
        for (RelationSpec r : p.relations()) {
            assertTrue(r.relation().holdsClearly(objs.get(r.subject()).placement(), objs.get(r.object()).placement()));
            assertTrue(r.relation().holds(objs.get(r.subject()), objs.get(r.object())));
        }
        assertTrue(p.isSatisfiedBy(s), e.caption());
        for (int i = 0; i < objs.size(); i++) {
            SceneObject a = objs.get(i);
            double half = a.size().extent() / 2;
            assertTrue(a.x() - half >= SceneSampler.BORDER - 1e-3 && a.x() + half <= 1 - SceneSampler.BORDER + 1e-3);
            assertTrue(a.y() - half >= SceneSampler.BORDER - 1e-3 && a.y() + half <= 1 - SceneSampler.BORDER + 1e-3);
            for (int j = i + 1; j < objs.size(); j++) {
                SceneObject b = objs.get(j);
                double reach = (a.size().extent() + b.size().extent()) / 2 + SceneSampler.GAP;
                assertTrue(Math.abs(a.x() - b.x()) >= reach || Math.abs(a.y() - b.y()) >= reach, "overlap: " + s);
            }
        }
        for (ObjectSpec o : p.objects()) {
            switch (p.category()) {
                case COLOR -> assertTrue(o.colour() != null && o.texture() == null && o.size() == null);
                case SHAPE -> assertTrue(o.size() != null && o.texture() == null);
                case TEXTURE -> assertTrue(o.texture() != null && o.size() == null);
                case NON_SPATIAL -> assertNull(o.size());
                default -> {}
            }
        }
        long spatial = p.relations().stream().filter(r -> r.relation().isSpatial()).count();
        switch (p.category()) {
            case SPATIAL -> assertEquals(List.of(1L, 1), List.of(spatial, p.relations().size()));
            case NON_SPATIAL -> assertEquals(List.of(0L, 1), List.of(spatial, p.relations().size()));
            case COMPLEX -> assertTrue(p.relations().size() == 2 && spatial >= 1);
            default -> assertTrue(p.relations().isEmpty());
        }
    }

    @Test
    void heldOutCombinationsNeverInTraining() {
        SceneSampler sampler = new SceneSampler(WorldSplit.TRAIN);
        SplittableRandom rng = new SplittableRandom(11);
        for (int i = 0; i < 20_000; i++) {
            WorldExample e = sampler.sample(rng);
            assertFalse(e.prompt().isHeldOut(), e.caption());
            assertFalse(e.scene().containsHeldOutCombination(), e.caption() + " " + e.scene());
            // nor in the words: no caption names a held-out colour right before a held-out shape
            for (Map.Entry<Colour, Shape> pair : WorldSplit.HELD_OUT_PAIRS.entrySet()) {
                assertFalse(e.caption().contains(pair.getKey().word() + " " + pair.getValue().word()), e.caption());
            }
        }
    }

    @Test
    void heldOutPromptsAlwaysNameAHeldOutPair() {
        SceneSampler sampler = new SceneSampler(WorldSplit.HELD_OUT);
        SplittableRandom rng = new SplittableRandom(13);
        Set<Colour> seen = new HashSet<>();
        for (int i = 0; i < 5000; i++) {
            WorldExample e = sampler.sample(rng);
            assertTrue(e.prompt().isHeldOut(), e.caption());
            assertTrue(e.scene().containsHeldOutCombination());
            e.prompt().objects().stream().filter(ObjectSpec::isHeldOutCombination).forEach(o -> seen.add(o.colour()));
        }
        assertEquals(Colour.values().length, seen.size());
    }

    @Test
    void trainingCoversEveryOtherPair() {
        SceneSampler sampler = new SceneSampler(WorldSplit.TRAIN);
        SplittableRandom rng = new SplittableRandom(17);
        Set<String> pairs = new HashSet<>();
        for (int i = 0; i < 5000; i++) {
            for (ObjectSpec o : sampler.sample(rng).prompt().objects()) {
                if (o.colour() != null) {
                    pairs.add(o.colour() + " " + o.shape());
                }
            }
        }
        assertEquals(Colour.values().length * Shape.values().length - WorldSplit.HELD_OUT_PAIRS.size(), pairs.size());
    }

    @Test
    void categoryCanBeChosen() {
        SceneSampler sampler = new SceneSampler(WorldSplit.TRAIN);
        SplittableRandom rng = new SplittableRandom(19);
        for (Category c : Category.values()) {
            for (int i = 0; i < 50; i++) {
                WorldExample e = sampler.sample(c, rng);
                assertEquals(c, e.category());
                assertNotNull(e.caption());
            }
        }
    }
}
