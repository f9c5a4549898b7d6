package io.github.t2i4j.suti.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.t2i4j.core.world.Background;
import io.github.t2i4j.core.world.Scene;
import io.github.t2i4j.core.world.SceneObject;
import io.github.t2i4j.core.world.SceneRenderer;
import io.github.t2i4j.core.world.Size;
import io.github.t2i4j.core.world.Texture;
import io.github.t2i4j.core.world.eval.ImageDegradations;
import io.github.t2i4j.suti.subjects.Demonstrations;
import io.github.t2i4j.suti.subjects.Position;
import io.github.t2i4j.suti.subjects.Subject;
import io.github.t2i4j.suti.subjects.SubjectCatalog;
import io.github.t2i4j.suti.subjects.SubjectContext;
import io.github.t2i4j.suti.subjects.SubjectRenderer;
import io.github.t2i4j.suti.subjects.SubjectScene;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SubjectFidelityTest {

    private static final SubjectCatalog CATALOG = SubjectCatalog.load();
    private static final SubjectFidelity FIDELITY = new SubjectFidelity();
    private static final SubjectRenderer RENDERER = new SubjectRenderer();

    /** Every 15th subject of the catalog (training and held-out). */
    private static List<Subject> sample() {
        List<Subject> out = new ArrayList<>();
        for (int id = 0; id < CATALOG.all().size(); id += 15) {
            out.add(CATALOG.get(id));
        }
        return out;
    }

    private static BufferedImage render(Subject s, SplittableRandom rng) {
        return RENDERER.render(SubjectScene.stage(s, Demonstrations.randomContext(rng), rng));
    }

    @Test
    void aSubjectRenderedInANewContextPasses() {
        SplittableRandom rng = new SplittableRandom(11);
        int passed = 0;
        int total = 0;
        for (Subject s : sample()) {
            for (int k = 0; k < 2; k++) {
                SubjectFidelity.Result r = FIDELITY.score(render(s, rng), s);
                passed += r.passed() ? 1 : 0;
                total++;
            }
        }
        assertTrue(passed >= 0.95 * total, passed + " of " + total + " correct renders pass");
    }

    @Test
    void otherSubjectsFail() {
        SplittableRandom rng = new SplittableRandom(12);
        List<Subject> sample = sample();
        int passed = 0;
        int total = 0;
        for (Subject s : sample) {
            List<Subject> sameShape = CATALOG.all().stream().filter(o -> o.shape() == s.shape() && o.id() != s.id()).toList();
            Subject any;
            do {
                any = CATALOG.get(rng.nextInt(CATALOG.all().size()));
            } while (any.id() == s.id());
            for (Subject o : List.of(any, sameShape.get(rng.nextInt(sameShape.size())))) {
                passed += FIDELITY.score(render(o, rng), s).passed() ? 1 : 0;
                total++;
            }
        }
        assertTrue(passed <= 0.1 * total, passed + " of " + total + " other subjects pass");
    }

    /** The class alone (the world's plain object of the subject's shape in its body colour) is not the subject. */
    @Test
    void thePlainClassObjectFails() {
        SceneRenderer world = new SceneRenderer();
        int passed = 0;
        List<Subject> sample = sample();
        for (Subject s : sample) {
            io.github.t2i4j.core.world.Colour body = s.pattern().body().colour();
            BufferedImage img = world.render(new Scene(
                    Background.WHITE, List.of(new SceneObject(s.shape(), body, Texture.SOLID, Size.LARGE, 0.5, 0.5))));
            passed += FIDELITY.score(img, s).passed() ? 1 : 0;
        }
        assertTrue(passed <= 0.1 * sample.size(), passed + " of " + sample.size() + " plain objects pass");
    }

    @Test
    void noiseLowersTheScore() {
        double[] sigmas = {0, 0.05, 0.15};
        double[] mean = new double[sigmas.length];
        SplittableRandom noise = new SplittableRandom(13);
        List<Subject> sample = sample().subList(0, 15);
        for (Subject s : sample) {
            BufferedImage img = RENDERER.render(new SubjectScene(
                    s, new SubjectContext(Position.CENTRE, Size.LARGE, Background.LIGHT_GREY), 0.5, 0.5));
            for (int i = 0; i < sigmas.length; i++) {
                BufferedImage noisy = sigmas[i] == 0 ? img : ImageDegradations.gaussianNoise(img, sigmas[i], noise);
                mean[i] += FIDELITY.score(noisy, s).score() / sample.size();
            }
        }
        assertTrue(mean[0] > 0.95, "clean " + mean[0]);
        assertTrue(mean[0] > mean[1] && mean[1] > mean[2], java.util.Arrays.toString(mean));
    }

    @Test
    void scoresLieInTheUnitIntervalAndAnEmptyImageScoresZero() {
        Subject s = CATALOG.get(0);
        BufferedImage empty = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = empty.createGraphics();
        g.setColor(Background.WHITE.color());
        g.fillRect(0, 0, 64, 64);
        g.dispose();
        SubjectFidelity.Result r = FIDELITY.score(empty, s);
        assertEquals(0, r.score());
        assertFalse(r.passed());
        assertNull(r.placement());
        SubjectFidelity.Result same = FIDELITY.score(render(s, new SplittableRandom(1)), s);
        assertTrue(same.score() > 0 && same.score() <= 1 + 1e-9, "score " + same.score());
    }

    /** Held-out subjects are new: a held-out subject's render does not pass as any training subject of its class. */
    @Test
    void noHeldOutSubjectPassesAsATrainingSubject() {
        for (int i = 0; i < CATALOG.heldOut().size(); i += 12) {
            Subject h = CATALOG.heldOut().get(i);
            BufferedImage img = RENDERER.render(new SubjectScene(
                    h, new SubjectContext(Position.CENTRE, Size.LARGE, Background.WHITE), 0.5, 0.5));
            for (Subject t : CATALOG.training()) {
                if (t.shape() == h.shape()) {
                    assertFalse(FIDELITY.score(img, t).passed(), h.describe() + " passes as " + t.describe());
                }
            }
        }
    }

    @Test
    void calibrationOnHeldOutSubjects() {
        FidelityCalibration.Scores scores = FidelityCalibration.measure(CATALOG.heldOut().subList(0, 20), 2, 14);
        assertTrue(scores.positivePassRate() >= 0.95, "positives " + scores.positivePassRate());
        assertTrue(scores.negativePassRate() <= 0.1, "negatives " + scores.negativePassRate());
        assertTrue(scores.sameShapePassRate() <= 0.1, "same shape " + scores.sameShapePassRate());
    }
}
