/**
 * SuTI: subject-driven text-to-image generation in context, trained by apprenticeship. So far: the
 * world's subjects ({@code subjects}) and the measures ({@code eval}); see suti/README.md.
 */
package io.github.t2i4j.suti;
