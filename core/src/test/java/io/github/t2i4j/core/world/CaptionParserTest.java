package io.github.t2i4j.core.world;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CaptionParserTest {

    @Test
    void everyGeneratedCaptionParsesBackToItsMeaning() {
        for (WorldSplit split : WorldSplit.values()) {
            SceneSampler sampler = new SceneSampler(split);
            SplittableRandom rng = new SplittableRandom(31);
            for (int i = 0; i < 10_000; i++) {
                WorldExample e = sampler.sample(rng);
                CompositionPrompt parsed = CaptionParser.parse(e.caption());
                assertTrue(parsed.equivalent(e.prompt()), e.caption() + "\n  parsed " + parsed + "\n  wanted " + e.prompt());
                assertTrue(parsed.isSatisfiedBy(e.scene()), e.caption());
            }
        }
    }

    @Test
    void heldOutCaptionsParse() {
        for (Category c : Category.values()) {
            for (WorldExample e : HeldOutSet.load(c)) {
                assertTrue(CaptionParser.parse(e.caption()).equivalent(e.prompt()), e.caption());
            }
        }
    }

    @Test
    void examples() {
        CompositionPrompt p = CaptionParser.parse("a scene with a big red striped circle to the left of one rhombus in violet");
        assertEquals(Category.SPATIAL, p.category());
        assertEquals(List.of(new ObjectSpec(Shape.CIRCLE, Colour.RED, Texture.STRIPED, Size.LARGE),
                ObjectSpec.of(Colour.PURPLE, Shape.DIAMOND)), p.objects());
        assertEquals(List.of(new RelationSpec(0, Relation.LEFT_OF, 1)), p.relations());

        CompositionPrompt q = CaptionParser.parse("a red circle left of a blue square and above a green star");
        assertEquals(List.of(new RelationSpec(0, Relation.LEFT_OF, 1), new RelationSpec(0, Relation.ABOVE, 2)), q.relations());
        CompositionPrompt r = CaptionParser.parse("a blue square right of a red circle, which is above a green star");
        assertEquals(List.of(new RelationSpec(0, Relation.RIGHT_OF, 1), new RelationSpec(1, Relation.ABOVE, 2)), r.relations());
        // mentioned in another order, stated the other way round: the same facts
        assertTrue(q.equivalent(r));
        CompositionPrompt s = CaptionParser.parse("a green star below a red circle, and a blue square to the right of the circle");
        assertTrue(s.equivalent(q));
        assertEquals(Category.NON_SPATIAL, CaptionParser.parse("a star the same size as a cross").category());
        assertEquals(Category.TEXTURE, CaptionParser.parse("a striped star and a cross with dots").category());
        assertEquals(Category.SHAPE, CaptionParser.parse("a big star as well as a little cross").category());
        assertEquals(Category.COLOR, CaptionParser.parse("a red star together with a blue cross").category());
        assertFalse(CaptionParser.parse("a red star and a blue cross").equivalent(CaptionParser.parse("a blue star and a red cross")));
    }

    @Test
    void rejectsOtherText() {
        assertThrows(IllegalArgumentException.class, () -> CaptionParser.parse("a red car"));
        assertThrows(IllegalArgumentException.class, () -> CaptionParser.parse("a star left of"));
        assertThrows(IllegalArgumentException.class, () -> CaptionParser.parse("left of a star"));
        assertThrows(IllegalArgumentException.class, () -> CaptionParser.parse("a star and the circle"));
        assertThrows(IllegalArgumentException.class, () -> CaptionParser.parse(""));
    }
}
