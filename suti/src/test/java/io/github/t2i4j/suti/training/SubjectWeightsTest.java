package io.github.t2i4j.suti.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.t2i4j.suti.subjects.Subject;
import io.github.t2i4j.suti.subjects.SubjectCatalog;
import io.github.t2i4j.suti.subjects.SubjectRenderer;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubjectWeightsTest {

    @Test
    void theSubjectsLatentPositionsWeighMoreAndEachExampleAveragesOne() {
        Subject subject = SubjectCatalog.load().training().get(0);
        // a subject in the top-left quarter, and an empty image
        BufferedImage withSubject = new SubjectRenderer(64, 64).render(subject, 0.25, 0.25, 0.35, Color.WHITE);
        BufferedImage empty = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        float[] w = SubjectWeights.of(List.of(withSubject, empty), 16, 16, 10);
        assertEquals(2 * 256, w.length);
        double mean = 0;
        double max = 0;
        for (int i = 0; i < 256; i++) {
            mean += w[i] / 256.0;
            max = Math.max(max, w[i]);
        }
        assertEquals(1.0, mean, 1e-4);
        // the subject's centre (latent 4, 4) against the far corner (15, 15)
        assertTrue(w[4 * 16 + 4] > 3 * w[15 * 16 + 15], w[4 * 16 + 4] + " vs " + w[15 * 16 + 15]);
        assertEquals(max, w[4 * 16 + 4], 1e-6);
        for (int i = 256; i < 512; i++) {
            assertEquals(1f, w[i], 1e-6f, "no subject: the plain MSE");
        }
        // weight 0 is the plain MSE
        float[] plain = SubjectWeights.of(List.of(withSubject), 16, 16, 0);
        for (float v : plain) {
            assertEquals(1f, v, 1e-6f);
        }
        assertThrows(IllegalArgumentException.class, () -> SubjectWeights.of(List.of(withSubject), 15, 15, 10));
    }
}
