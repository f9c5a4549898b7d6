package io.github.t2i4j.core.metrics;

import ai.djl.ndarray.NDArray;

/**
 * The Fréchet distance between two sets of feature vectors, each summarised by a Gaussian
 * (mean, covariance): {@code |mu1 - mu2|^2 + Tr(S1 + S2 - 2 (S1 S2)^{1/2})}. On Inception
 * features this is FID (Heusel et al. 2017); t2i4j computes it on the image features of its
 * small CLIP, as the issue's {@code metrics.json} {@code "fid"} number.
 *
 * <p>Unlike pytorch-fid, which takes {@code scipy.linalg.sqrtm} of the non-symmetric product
 * {@code S1 S2} (and may return complex round-off or need an epsilon on the diagonal), the trace
 * term is computed as {@code Tr((S1^{1/2} S2 S1^{1/2})^{1/2})}, which is equal (similar
 * matrices) and needs only symmetric eigendecompositions (ND4J, LAPACK {@code syev}), in double
 * precision, with round-off negative eigenvalues clamped to 0. Singular covariances (fewer
 * samples than dimensions) are therefore fine. A result made slightly negative by round-off
 * (identical sets) is returned as 0.
 */
public final class FrechetDistance {
    private FrechetDistance() {}

    /** FID between two precomputed statistics (e.g. a {@linkplain FeatureStatistics#load saved} reference). */
    public static double compute(FeatureStatistics a, FeatureStatistics b) {
        int d = a.dimension();
        if (b.dimension() != d) {
            throw new IllegalArgumentException(
                    "feature dimensions differ: " + d + " vs " + b.dimension());
        }
        String fa = a.metadata().get(FeatureStatistics.FEATURE_EXTRACTOR);
        String fb = b.metadata().get(FeatureStatistics.FEATURE_EXTRACTOR);
        if (fa != null && fb != null && !fa.equals(fb)) {
            throw new IllegalArgumentException(
                    "statistics come from different feature extractors: '" + fa + "' vs '" + fb + "'");
        }
        double[] mu1 = a.meanArray();
        double[] mu2 = b.meanArray();
        double[] s1 = a.covarianceArray();
        double[] s2 = b.covarianceArray();
        double meanTerm = 0;
        double traces = 0;
        for (int i = 0; i < d; i++) {
            double diff = mu1[i] - mu2[i];
            meanTerm += diff * diff;
            traces += s1[i * d + i] + s2[i * d + i];
        }
        double fid = meanTerm + traces - 2 * Nd4jLinalg.traceSqrtProduct(s1, s2, d);
        return Math.max(fid, 0);
    }

    /** FID between the rows of two {@code N x D} feature matrices (each with at least 2 rows). */
    public static double compute(float[][] a, float[][] b) {
        return compute(FeatureStatistics.of(a), FeatureStatistics.of(b));
    }

    /** FID between the rows of two {@code N x D} feature matrices (each with at least 2 rows). */
    public static double compute(double[][] a, double[][] b) {
        return compute(FeatureStatistics.of(a), FeatureStatistics.of(b));
    }

    /** FID between two {@code [N, D]} feature NDArrays (any device; each with at least 2 rows). */
    public static double compute(NDArray a, NDArray b) {
        return compute(FeatureStatistics.of(a), FeatureStatistics.of(b));
    }

    /** FID of a set of features against precomputed reference statistics. */
    public static double compute(NDArray features, FeatureStatistics reference) {
        return compute(FeatureStatistics.of(features), reference);
    }
}
