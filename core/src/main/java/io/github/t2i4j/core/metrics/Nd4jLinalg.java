package io.github.t2i4j.core.metrics;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The dense double-precision linear algebra the metrics need (Gram matrices, symmetric
 * eigendecompositions), done on the CPU by ND4J (OpenBLAS and LAPACK). This is the only class
 * that touches ND4J: everything else in the package, and every caller, works with Java arrays or
 * DJL NDArrays. Matrices cross the boundary as row-major {@code double[]} of {@code d * d}.
 */
final class Nd4jLinalg {
    private Nd4jLinalg() {}

    /** {@code acc += Y^T Y} for the row-major {@code rows x d} matrix {@code y}. */
    static void addGram(double[] acc, double[] y, int rows, int d) {
        if (rows == 0) {
            return;
        }
        INDArray m = matrix(y, rows, d);
        INDArray gram = m.transpose().mmul(m);
        double[] g = rowMajor(gram);
        for (int i = 0; i < acc.length; i++) {
            acc[i] += g[i];
        }
    }

    /**
     * {@code Tr((A B)^{1/2})} for symmetric positive semi-definite {@code a} and {@code b}, computed
     * as {@code Tr((A^{1/2} B A^{1/2})^{1/2})}: {@code A B} is similar to the symmetric PSD matrix
     * {@code A^{1/2} B A^{1/2}}, so both square roots come from symmetric eigendecompositions (real
     * spectra, orthogonal eigenvectors) instead of a general Schur-based {@code sqrtm} of a
     * non-symmetric product. Eigenvalues made slightly negative by round-off are clamped to 0.
     */
    static double traceSqrtProduct(double[] a, double[] b, int d) {
        INDArray rootA = sqrtPsdMatrix(a, d);
        INDArray middle = rootA.mmul(matrix(b, d, d)).mmul(rootA);
        double[] eig = symmetricEigenvalues(middle);
        double trace = 0;
        for (double e : eig) {
            trace += Math.sqrt(Math.max(e, 0));
        }
        return trace;
    }

    /** The symmetric PSD square root {@code V diag(sqrt(max(w, 0))) V^T} of {@code s}. */
    static double[] sqrtPsd(double[] s, int d) {
        return rowMajor(sqrtPsdMatrix(s, d));
    }

    /** Eigenvalues (ascending) of the symmetric part of {@code s}. */
    static double[] symmetricEigenvalues(double[] s, int d) {
        return symmetricEigenvalues(matrix(s, d, d));
    }

    private static INDArray sqrtPsdMatrix(double[] s, int d) {
        INDArray vectors = symmetrize(matrix(s, d, d));
        // LAPACK syev in place: the eigenvalues come back, the matrix becomes the eigenvectors
        // (as columns)
        INDArray w = Eigen.symmetricGeneralizedEigenvalues(vectors);
        checkDouble(w);
        INDArray rootW = Transforms.sqrt(Transforms.max(w, 0.0, false), false);
        return vectors.mulRowVector(rootW).mmul(vectors.transpose());
    }

    private static double[] symmetricEigenvalues(INDArray m) {
        INDArray w = Eigen.symmetricGeneralizedEigenvalues(symmetrize(m));
        checkDouble(w);
        return w.toDoubleVector();
    }

    /** {@code (m + m^T) / 2} as a new C-ordered matrix, removing round-off asymmetry. */
    private static INDArray symmetrize(INDArray m) {
        return m.add(m.transpose()).muli(0.5).dup('c');
    }

    private static INDArray matrix(double[] data, int rows, int cols) {
        if ((long) rows * cols != data.length) {
            throw new IllegalArgumentException(
                    "expected " + rows + "x" + cols + " values, got " + data.length);
        }
        INDArray m = Nd4j.create(data, new long[] {rows, cols}, DataType.DOUBLE);
        checkDouble(m);
        return m;
    }

    private static double[] rowMajor(INDArray m) {
        double[][] rows = m.toDoubleMatrix();
        int cols = (int) m.columns();
        double[] out = new double[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, out, i * cols, cols);
        }
        return out;
    }

    private static void checkDouble(INDArray m) {
        if (m.dataType() != DataType.DOUBLE) {
            throw new IllegalStateException("ND4J returned " + m.dataType() + " instead of DOUBLE");
        }
    }
}
