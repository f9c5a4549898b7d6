/**
 * SuTI: subject-driven text-to-image generation in context, trained by apprenticeship. The world's
 * subjects ({@code subjects}), the measures ({@code eval}), the per-subject baselines ({@code
 * experts}), the SuTI model and pipeline ({@code model}) and its training ({@code training}); see
 * suti/README.md.
 */
package io.github.t2i4j.suti;
