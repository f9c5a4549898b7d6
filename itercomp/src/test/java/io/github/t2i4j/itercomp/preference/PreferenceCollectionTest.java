package io.github.t2i4j.itercomp.preference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Collecting, resuming and inserting into preference data with three stand-in members of known
 * quality: the world's own renders of the prompt (right), renders of another prompt (wrong scene),
 * and a grey image (nothing drawn).
 */
class PreferenceCollectionTest {

    private static PreferenceCollection collection(PreferenceStore store, int prompts) {
        return new PreferenceCollection(store, null,
                new PreferenceCollection.Options(prompts, List.of(Aspect.SPATIAL, Aspect.ATTRIBUTE_BINDING), 5, 4));
    }

    @Test
    void rankingsPutTheRightSceneFirstAndResume(@TempDir Path dir) throws IOException {
        PreferenceStore store = PreferenceStore.open(dir);
        PreferenceCollection c = collection(store, 10);
        List<StandInMember> members = List.of(new StandInMember("grey", c, 11, 0, true), new StandInMember("right", c, 11, 0, false),
                new StandInMember("wrong", c, 11, 1, false));
        assertEquals(60, c.remainingImages(List.of("grey", "right", "wrong")));
        PreferenceCollection.Result r = c.collect(members, n -> {});
        assertEquals(20, r.rankings());
        assertEquals(60, r.images());
        assertEquals(20, store.rankings().size());
        int rightFirst = 0;
        for (Ranking k : store.rankings()) {
            assertEquals(3, k.images().size());
            assertTrue(k.images().get(0).score() >= k.images().get(1).score());
            assertTrue(Files.isRegularFile(dir.resolve(k.images().get(0).file())));
            rightFirst += k.images().get(0).member().equals("right") ? 1 : 0;
            assertEquals(k.caption(), c.prompt(k.aspect(), k.index()).caption());
        }
        assertTrue(rightFirst >= 18, "the true render ranks first in " + rightFirst + " of 20");
        // every member drew prompt i with the same seed; consecutive prompts, consecutive seeds
        assertEquals(members.get(0).seeds, members.get(1).seeds);
        assertEquals(c.imageSeed(Aspect.SPATIAL, 4), members.get(0).seeds.get(1));
        // 3 pairs per ranking; every tenth prompt is held out
        assertEquals(27, store.pairs(Aspect.SPATIAL, false).size());
        assertEquals(3, store.pairs(Aspect.SPATIAL, true).size());

        // a second call has nothing to do; a reopened store holds the same rankings
        assertEquals(0, c.collect(members, n -> {}).images());
        assertEquals(store.rankings(), PreferenceStore.open(dir).rankings());

        // a line cut by a crash is dropped and only its prompt is collected again
        Path file = dir.resolve(PreferenceStore.RANKINGS);
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Files.writeString(file, text.substring(0, text.length() - 40), StandardCharsets.UTF_8);
        PreferenceStore reopened = PreferenceStore.open(dir);
        assertEquals(19, reopened.rankings().size());
        PreferenceCollection again = collection(reopened, 10);
        assertEquals(3, again.collect(members, n -> {}).images());
        assertEquals(store.rankings(), PreferenceStore.open(dir).rankings());

        // more prompts extend the set without touching the old ones
        PreferenceCollection more = collection(reopened, 11);
        assertEquals(6, more.collect(members, n -> {}).images());
        assertEquals(22, PreferenceStore.open(dir).rankings().size());

        // another gallery cannot collect into this folder
        assertThrows(IllegalStateException.class, () -> more.collect(members.subList(0, 2), n -> {}));
    }

    @Test
    void aMemberAddedToTheGalleryIsRankedByTheAnnotator(@TempDir Path dir) {
        PreferenceStore store = PreferenceStore.open(dir);
        PreferenceCollection c = collection(store, 6);
        StandInMember grey = new StandInMember("grey", c, 7, 0, true);
        StandInMember wrong = new StandInMember("wrong", c, 7, 1, false);
        c.collect(List.of(grey, wrong), n -> {});
        List<Ranking> before = store.rankings();
        StandInMember right = new StandInMember("right", c, 7, 0, false);
        List<StandInMember> three = List.of(grey, wrong, right);
        assertEquals(12, c.remainingImages(List.of("grey", "wrong", "right")));
        // the grown gallery on one more prompt: the new prompt by all three, the old ones by the newcomer
        PreferenceCollection more = collection(store, 7);
        PreferenceCollection.Result r = more.collect(three, n -> {});
        assertEquals(2, r.rankings());
        assertEquals(12 + 6, r.images());
        List<Ranking> after = PreferenceStore.open(dir).rankings();
        assertEquals(14, after.size());
        int rightFirst = 0;
        for (Ranking k : after) {
            assertEquals(3, k.images().size());
            assertTrue(k.images().stream().noneMatch(RankedImage::placedByReward));
            assertEquals(Ranking.byAnnotator(k.aspect(), k.index(), k.category(), k.caption(), k.seed(), k.images()), k);
            rightFirst += k.images().get(0).member().equals("right") ? 1 : 0;
        }
        assertTrue(rightFirst >= 12, "the true render ranks first in " + rightFirst + " of 14");
        // the old members' images were kept, not drawn again
        for (Ranking old : before) {
            Ranking now = after.stream().filter(k -> k.aspect() == old.aspect() && k.index() == old.index()).findFirst().orElseThrow();
            assertTrue(now.images().containsAll(old.images()));
        }
        // the newcomer drew the new prompts, then the old ones from their first prompt's seed
        assertEquals(List.of(c.imageSeed(Aspect.SPATIAL, 6), c.imageSeed(Aspect.ATTRIBUTE_BINDING, 6),
                c.imageSeed(Aspect.SPATIAL, 0)), right.seeds.subList(0, 3));
        assertEquals(0, more.remainingImages(List.of("grey", "wrong", "right")));
        assertEquals(0, more.collect(three, n -> {}).images());
        // a gallery that lost a member cannot collect here
        assertThrows(IllegalStateException.class, () -> more.collect(List.of(grey, right), n -> {}));
    }

    @Test
    void aNewMemberIsPlacedByTheReward(@TempDir Path dir) {
        PreferenceStore store = PreferenceStore.open(dir);
        PreferenceCollection c = collection(store, 6);
        List<StandInMember> members = List.of(new StandInMember("grey", c, 7, 0, true), new StandInMember("wrong", c, 7, 1, false));
        c.collect(members, n -> {});
        // a reward that knows the truth: the mean brightness difference to the right render
        StandInMember right = new StandInMember("right", c, 7, 0, false);
        Map<String, BufferedImage> truth = new HashMap<>();
        for (Ranking k : store.rankings()) {
            truth.put(k.caption(), right.generate(List.of(k.caption()), 0).get(0));
        }
        RewardScorer oracle = (images, captions) -> {
            double[] out = new double[images.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = -distance(images.get(i), truth.get(captions.get(i)));
            }
            return out;
        };
        PreferenceCollection.Result r = c.insert(right, Map.of(Aspect.SPATIAL, oracle, Aspect.ATTRIBUTE_BINDING, oracle), n -> {});
        assertEquals(12, r.rankings());
        for (Ranking k : PreferenceStore.open(dir).rankings()) {
            assertEquals(3, k.images().size());
            assertEquals("right", k.images().get(0).member(), "the oracle puts the truth on top");
            assertTrue(k.images().get(0).placedByReward());
            assertNotEquals(Double.NaN, k.images().get(0).score());
        }
        assertTrue(r.insertionAgreement() > 0.9, "agreement " + r.insertionAgreement());
        // resumes: nothing left to place
        assertEquals(0, c.insert(right, Map.of(Aspect.SPATIAL, oracle, Aspect.ATTRIBUTE_BINDING, oracle), n -> {}).rankings());
        assertThrows(IllegalArgumentException.class,
                () -> c.insert(new StandInMember("other", c, 7, 2, false), Map.of(Aspect.SPATIAL, oracle), n -> {}));
    }

    private static double distance(BufferedImage a, BufferedImage b) {
        double d = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int s = 0; s < 24; s += 8) {
                    d += Math.abs(((p >> s) & 0xFF) - ((q >> s) & 0xFF));
                }
            }
        }
        return d;
    }
}
