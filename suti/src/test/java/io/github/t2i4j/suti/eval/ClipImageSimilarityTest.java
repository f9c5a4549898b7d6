package io.github.t2i4j.suti.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.github.t2i4j.core.world.clip.WorldClip;
import io.github.t2i4j.suti.subjects.Demonstration;
import io.github.t2i4j.suti.subjects.Demonstrations;
import io.github.t2i4j.suti.subjects.SubjectCatalog;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** CLIP-I with the shipped world CLIP: demonstrations of one subject are closer than those of different subjects. */
class ClipImageSimilarityTest {

    private static Path worldClip() {
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("models/world-clip"))) {
                return p.resolve("models/world-clip");
            }
        }
        throw new IllegalStateException("models/world-clip not found");
    }

    @Test
    void sameSubjectPairsAreMoreSimilarThanDifferentSubjectPairs() {
        SubjectCatalog catalog = SubjectCatalog.load();
        Demonstrations demos = new Demonstrations();
        int subjects = 12;
        int k = 4;
        List<BufferedImage> images = new ArrayList<>();
        for (int i = 0; i < subjects; i++) {
            for (Demonstration d : demos.sample(catalog.get(400 + i * 4), k, new SplittableRandom(i))) {
                images.add(d.image());
            }
        }
        try (WorldClip clip = WorldClip.load(worldClip(), Device.cpu())) {
            ClipImageSimilarity sim = new ClipImageSimilarity(clip);
            float[][] f = sim.features(images);
            double[][] c = ClipImageSimilarity.cosines(f, f);
            double same = 0;
            double different = 0;
            int ns = 0;
            int nd = 0;
            for (int i = 0; i < images.size(); i++) {
                assertEquals(1.0, c[i][i], 1e-4);
                for (int j = 0; j < images.size(); j++) {
                    if (i == j) {
                        continue;
                    }
                    if (i / k == j / k) {
                        same += c[i][j];
                        ns++;
                    } else {
                        different += c[i][j];
                        nd++;
                    }
                }
            }
            same /= ns;
            different /= nd;
            assertTrue(same > different + 0.2, "same " + same + ", different " + different);
            // CLIP-I of a held-back demonstration against the others of its subject, and of another subject's
            double own = sim.mean(images.subList(0, 1), images.subList(1, k));
            double other = sim.mean(images.subList(k, k + 1), images.subList(1, k));
            assertTrue(own > other, "own " + own + ", other " + other);
        }
    }
}
