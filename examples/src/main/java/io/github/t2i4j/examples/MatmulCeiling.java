package io.github.t2i4j.examples;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** Measures this machine's fp32 matmul throughput: the ceiling other figures are compared with. */
final class MatmulCeiling {
    private MatmulCeiling() {}

    /** Best GFLOP/s of {@code repeats} n x n x n matmuls after one warm-up. */
    static double gflops(NDManager manager, int n, int repeats) {
        return gflops(manager, n, n, n, repeats);
    }

    /** Best GFLOP/s of {@code repeats} [m, k] x [k, n] matmuls after one warm-up. */
    static double gflops(NDManager manager, int rows, int inner, int cols, int repeats) {
        try (NDManager m = manager.newSubManager()) {
            NDArray a = m.randomNormal(0f, 1f, new Shape(rows, inner), DataType.FLOAT32);
            NDArray b = m.randomNormal(0f, 1f, new Shape(inner, cols), DataType.FLOAT32);
            a.matMul(b).close();
            double best = Double.MAX_VALUE;
            for (int i = 0; i < repeats; i++) {
                long t0 = System.nanoTime();
                NDArray c = a.matMul(b);
                c.getFloat(0, 0); // wait for the result
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                c.close();
            }
            return 2.0 * rows * inner * (double) cols / best / 1e9;
        }
    }
}
