/**
 * Image-generation metrics: {@link io.github.t2i4j.core.metrics.FrechetDistance} (FID on any
 * feature extractor's features, with reusable {@link
 * io.github.t2i4j.core.metrics.FeatureStatistics}) and {@link
 * io.github.t2i4j.core.metrics.ClipScore}.
 *
 * <p>The dense double-precision linear algebra behind FID (covariances, symmetric
 * eigendecompositions) runs on the CPU through ND4J; ND4J stays inside this package, so callers
 * pass Java arrays or DJL NDArrays and never see an ND4J type.
 */
package io.github.t2i4j.core.metrics;
