package io.github.t2i4j.core.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CaptionGrammarTest {

    @Test
    void manyPhrasingsPerStructure() {
        SceneSampler sampler = new SceneSampler(WorldSplit.TRAIN);
        SplittableRandom rng = new SplittableRandom(3);
        for (Category c : Category.values()) {
            for (int k = 0; k < 5; k++) {
                CompositionPrompt p = sampler.sample(c, rng).prompt();
                Set<String> captions = new HashSet<>();
                for (int i = 0; i < 400; i++) {
                    captions.add(CaptionGrammar.caption(p, new SplittableRandom(i)));
                }
                int min = switch (c) {
                    case SINGLE -> 12;
                    case COMPLEX -> 100;
                    default -> 40;
                };
                assertTrue(captions.size() >= min, c + ": only " + captions.size() + " phrasings of " + p);
            }
        }
    }

    @Test
    void relationsAreSometimesStatedInverted() {
        CompositionPrompt p = new CompositionPrompt(
                "",
                Category.SPATIAL,
                List.of(ObjectSpec.of(Colour.RED, Shape.STAR), ObjectSpec.of(Colour.BLUE, Shape.SQUARE)),
                List.of(new RelationSpec(0, Relation.LEFT_OF, 1)));
        int leftFirst = 0;
        int rightFirst = 0;
        for (int i = 0; i < 200; i++) {
            String cap = CaptionGrammar.caption(p, new SplittableRandom(i));
            boolean starFirst = cap.indexOf("star") < cap.indexOf("square");
            if (starFirst) {
                assertTrue(cap.contains("left"), cap);
                leftFirst++;
            } else {
                assertTrue(cap.contains("right"), cap);
                rightFirst++;
            }
        }
        assertTrue(leftFirst > 50 && rightFirst > 50);
    }

    @Test
    void captionsUseOnlyTheVocabulary() {
        SortedSet<String> vocab = CaptionGrammar.vocabulary();
        for (Shape s : Shape.values()) {
            assertTrue(vocab.contains(s.word()));
        }
        for (Colour c : Colour.values()) {
            assertTrue(vocab.contains(c.word()));
        }
        for (Texture t : Texture.values()) {
            assertTrue(vocab.contains(t.word()));
        }
        for (Size s : Size.values()) {
            assertTrue(vocab.contains(s.word()));
        }
        Set<String> used = new HashSet<>();
        for (WorldSplit split : WorldSplit.values()) {
            SceneSampler sampler = new SceneSampler(split);
            SplittableRandom rng = new SplittableRandom(23);
            for (int i = 0; i < 20_000; i++) {
                String cap = sampler.sample(rng).caption();
                assertEquals(cap.toLowerCase(java.util.Locale.ROOT), cap);
                assertTrue(!cap.contains("  ") && cap.equals(cap.trim()) && !cap.contains(" ,"), cap);
                for (String t : CaptionGrammar.tokens(cap)) {
                    assertTrue(vocab.contains(t), "'" + t + "' of '" + cap + "' not in the vocabulary");
                    used.add(t);
                }
            }
        }
        // every vocabulary token actually occurs
        assertEquals(vocab, new java.util.TreeSet<>(used));
    }

    @Test
    void articlesAgree() {
        SceneSampler sampler = new SceneSampler(WorldSplit.HELD_OUT);
        SplittableRandom rng = new SplittableRandom(29);
        for (int i = 0; i < 5000; i++) {
            List<String> t = CaptionGrammar.tokens(sampler.sample(rng).caption());
            for (int k = 0; k + 1 < t.size(); k++) {
                boolean vowel = "aeiou".indexOf(t.get(k + 1).charAt(0)) >= 0;
                if (t.get(k).equals("a")) {
                    assertTrue(!vowel, String.join(" ", t));
                }
                if (t.get(k).equals("an")) {
                    assertTrue(vowel, String.join(" ", t));
                }
            }
        }
    }
}
