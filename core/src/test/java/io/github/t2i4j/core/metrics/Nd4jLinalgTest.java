package io.github.t2i4j.core.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class Nd4jLinalgTest {

    @Test
    void eigenvaluesOfAKnownMatrix() {
        // eigenvalues of [[2,1],[1,2]] are 1 and 3
        assertArrayEquals(new double[] {1, 3}, Nd4jLinalg.symmetricEigenvalues(new double[] {2, 1, 1, 2}, 2), 1e-14);
    }

    @Test
    void squareRootSquaresBack() {
        int d = 40;
        Random rng = new Random(17);
        double[] x = new double[60 * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextGaussian();
        }
        double[] s = new double[d * d];
        Nd4jLinalg.addGram(s, x, 60, d);
        double[] r = Nd4jLinalg.sqrtPsd(s, d);
        double maxErr = 0;
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double v = 0;
                for (int k = 0; k < d; k++) {
                    v += r[i * d + k] * r[k * d + j];
                }
                maxErr = Math.max(maxErr, Math.abs(v - s[i * d + j]));
                assertEquals(r[i * d + j], r[j * d + i], 1e-12);
            }
        }
        assertEquals(0, maxErr, 1e-10);
    }

    @Test
    void gramOfAKnownMatrix() {
        double[] acc = {1, 0, 0, 1};
        Nd4jLinalg.addGram(acc, new double[] {1, 2, 3, 4, 5, 6}, 3, 2);
        // X^T X = [[35, 44], [44, 56]]
        assertArrayEquals(new double[] {36, 44, 44, 57}, acc, 0);
    }

    @Test
    void traceSqrtOfASingularPair() {
        // rank-1 A and B with A B = 0: the trace is 0, and round-off must not give NaN
        double[] a = {1, 0, 0, 0};
        double[] b = {0, 0, 0, 4};
        assertEquals(0, Nd4jLinalg.traceSqrtProduct(a, b, 2), 1e-12);
        // Tr (B B)^{1/2} = Tr B
        assertEquals(4, Nd4jLinalg.traceSqrtProduct(b, b, 2), 1e-12);
    }
}
