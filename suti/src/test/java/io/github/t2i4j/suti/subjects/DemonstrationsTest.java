package io.github.t2i4j.suti.subjects;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.t2i4j.core.world.Background;
import io.github.t2i4j.core.world.CaptionGrammar;
import io.github.t2i4j.core.world.Size;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DemonstrationsTest {

    private static final SubjectCatalog CATALOG = SubjectCatalog.load();
    private static final SortedSet<String> VOCABULARY = ContextCaptions.vocabulary();

    @Test
    void demonstrationsVaryTheirContextAndDescribeIt() {
        Demonstrations demos = new Demonstrations();
        SubjectRenderer renderer = new SubjectRenderer();
        for (int k = Demonstrations.MIN; k <= Demonstrations.MAX; k++) {
            for (int id = 0; id < 450; id += 41) {
                Subject s = CATALOG.get(id);
                List<Demonstration> d = demos.sample(s, k, new SplittableRandom(31L * id + k));
                assertEquals(k, d.size());
                Set<Position> positions = new HashSet<>();
                Set<Size> sizes = new HashSet<>();
                Set<Background> backgrounds = new HashSet<>();
                for (Demonstration x : d) {
                    assertEquals(s, x.scene().subject());
                    positions.add(x.context().position());
                    sizes.add(x.context().size());
                    backgrounds.add(x.context().background());
                    assertArrayEquals(pixels(renderer.render(x.scene())), pixels(x.image()));
                    assertDescribes(x.caption(), s, x.context());
                }
                assertEquals(k, positions.size(), "distinct positions");
                assertEquals(2, sizes.size(), "both sizes");
                assertEquals(Math.min(k, Background.values().length), backgrounds.size(), "backgrounds vary");
            }
        }
    }

    @Test
    void sameSeedSameDemonstrations() {
        Subject s = CATALOG.get(17);
        List<Demonstration> a = new Demonstrations().sample(s, 4, new SplittableRandom(5));
        List<Demonstration> b = new Demonstrations().sample(s, 4, new SplittableRandom(5));
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).scene(), b.get(i).scene());
            assertEquals(a.get(i).caption(), b.get(i).caption());
            assertArrayEquals(pixels(a.get(i).image()), pixels(b.get(i).image()));
        }
    }

    @Test
    void promptsAskForContextsNoDemonstrationShows() {
        Demonstrations demos = new Demonstrations();
        for (int id = 400; id < 450; id += 7) {
            Subject s = CATALOG.get(id);
            SplittableRandom rng = new SplittableRandom(id);
            List<Demonstration> d = demos.sample(s, 5, rng);
            List<SubjectPrompt> prompts = Demonstrations.newContextPrompts(s, d, 20, rng);
            Set<SubjectContext> seen = new HashSet<>(d.stream().map(Demonstration::context).toList());
            for (SubjectPrompt p : prompts) {
                assertEquals(s, p.subject());
                assertTrue(seen.add(p.context()), "repeated or demonstrated context " + p.context());
                assertDescribes(p.text(), s, p.context());
            }
        }
    }

    @Test
    void rejectsTooFewOrTooManyDemonstrations() {
        Demonstrations demos = new Demonstrations();
        assertThrows(IllegalArgumentException.class, () -> demos.sample(CATALOG.get(0), 2, new SplittableRandom(0)));
        assertThrows(IllegalArgumentException.class, () -> demos.sample(CATALOG.get(0), 6, new SplittableRandom(0)));
    }

    @Test
    void sampledCentresHoldForTheirPositionOnly() {
        SplittableRandom rng = new SplittableRandom(3);
        for (Position p : Position.values()) {
            for (int i = 0; i < 50; i++) {
                double[] c = p.sampleCentre(rng);
                assertTrue(p.holds(c[0], c[1]), p + " " + Arrays.toString(c));
                for (Position q : Position.values()) {
                    boolean compatible = q == p
                            || (q.x() == 0.5 && q.y() == p.y() && q != Position.CENTRE)
                            || (q.y() == 0.5 && q.x() == p.x() && q != Position.CENTRE);
                    if (!compatible) {
                        assertTrue(!q.holds(c[0], c[1]), p + " sample also holds for " + q);
                    }
                }
            }
        }
    }

    /** The text names the class noun, the size, the position and the background, in known words only. */
    private static void assertDescribes(String text, Subject s, SubjectContext c) {
        List<String> tokens = CaptionGrammar.tokens(text);
        assertTrue(tokens.contains(s.noun()), text);
        assertTrue(VOCABULARY.containsAll(tokens), text);
        assertTrue(Arrays.stream(ContextCaptions.sizeWords(c.size())).anyMatch(tokens::contains), text);
        assertTrue(Arrays.stream(c.position().phrases()).anyMatch(text::contains), text);
        assertTrue(Arrays.stream(ContextCaptions.backgroundWords(c.background())).anyMatch(w -> text.contains(w + " background")
                || text.endsWith("is " + w)), text);
    }

    private static int[] pixels(BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }
}
