package io.github.t2i4j.itercomp.preference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.t2i4j.core.world.Category;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The annotator's order, the pairs of a ranking, IterComp's insertion rule and the JSON line. */
class RankingTest {

    private static RankedImage img(String member, double score, double clip) {
        return RankedImage.judged(member, "images/x/" + member + ".png", score, clip);
    }

    private static Ranking ranking(RankedImage... images) {
        return Ranking.byAnnotator(Aspect.SPATIAL, 3, Category.SPATIAL, "a red circle to the left of a blue square", 42,
                List.of(images));
    }

    private static List<String> members(Ranking r) {
        return r.images().stream().map(RankedImage::member).toList();
    }

    @Test
    void annotatorRanksByScoreThenClipScoreThenName() {
        Ranking r = ranking(img("a", 0.5, 0.9), img("b", 1.0, 0.1), img("c", 0.5, 0.95), img("d", 0.5, 0.9));
        assertEquals(List.of("b", "c", "a", "d"), members(r));
    }

    @Test
    void everyOrderedPairIsAPreference() {
        Ranking r = ranking(img("a", 1, 0), img("b", 0.5, 0), img("c", 0, 0), img("d", 0, -1));
        List<PreferencePair> pairs = r.pairs();
        assertEquals(6, pairs.size());
        assertEquals("a", pairs.get(0).better().member());
        assertEquals("b", pairs.get(0).worse().member());
        assertEquals("c", pairs.get(5).better().member());
        assertEquals("d", pairs.get(5).worse().member());
        pairs.forEach(p -> assertEquals(r.caption(), p.caption()));
    }

    @Test
    void insertionWalksUpFromTheWorst() {
        Ranking r = ranking(img("a", 1, 0), img("b", 0.5, 0), img("c", 0, 0));
        Map<String, Double> reward = Map.of("a", 3.0, "b", 2.0, "c", 1.0);
        // below the first image from the bottom whose reward is at least the newcomer's
        assertEquals(List.of("a", "b", "n", "c"), members(r.insert(img("n", 0, 0).withReward(1.5), i -> reward.get(i.member()))));
        assertEquals(List.of("a", "b", "c", "n"), members(r.insert(img("n", 0, 0).withReward(0.5), i -> reward.get(i.member()))));
        // an equal reward goes below
        assertEquals(List.of("a", "b", "n", "c"), members(r.insert(img("n", 0, 0).withReward(2.0), i -> reward.get(i.member()))));
        // better than all: the top
        assertEquals(List.of("n", "a", "b", "c"), members(r.insert(img("n", 0, 0).withReward(9), i -> reward.get(i.member()))));
        // the walk stops at the first such image even when the rewards disagree with the order
        Map<String, Double> odd = Map.of("a", 0.0, "b", 5.0, "c", 0.0);
        assertEquals(List.of("a", "b", "n", "c"), members(r.insert(img("n", 0, 0).withReward(1), i -> odd.get(i.member()))));
    }

    @Test
    void badRankingsAreRefused() {
        Ranking r = ranking(img("a", 1, 0), img("b", 0.5, 0));
        assertThrows(IllegalArgumentException.class, () -> r.insert(img("n", 0, 0), i -> 0));
        assertThrows(IllegalArgumentException.class, () -> r.insert(img("a", 0, 0).withReward(1), i -> 0));
        assertThrows(IllegalArgumentException.class, () -> ranking(img("a", 1, 0), img("a", 0, 0)));
        assertThrows(IllegalArgumentException.class,
                () -> new Ranking(Aspect.SPATIAL, 0, Category.COLOR, "a red circle and a blue square", 0, List.of()));
        assertThrows(IllegalArgumentException.class, () -> Aspect.of("colour"));
    }

    @Test
    void jsonRoundTrip() {
        Ranking r = ranking(img("a", 1, 0.25), img("b", 0.5, 0.125)).insert(img("n", 0.5, 0.5).withReward(-0.75), i -> 0);
        Ranking back = Ranking.fromJson(r.toJson());
        assertEquals(r, back);
        assertEquals(-0.75, back.images().get(2).reward());
    }

    @Test
    void aspectsCoverTheirCategories() {
        assertEquals(Category.COLOR, Aspect.ATTRIBUTE_BINDING.categoryOf(0));
        assertEquals(Category.SHAPE, Aspect.ATTRIBUTE_BINDING.categoryOf(1));
        assertEquals(Category.TEXTURE, Aspect.ATTRIBUTE_BINDING.categoryOf(5));
        assertEquals(Category.NON_SPATIAL, Aspect.NON_SPATIAL.categoryOf(7));
        assertEquals(Aspect.ATTRIBUTE_BINDING, Aspect.ofCategory(Category.TEXTURE));
        assertEquals(null, Aspect.ofCategory(Category.COMPLEX));
        assertEquals(Aspect.NON_SPATIAL, Aspect.of("non_spatial"));
    }
}
