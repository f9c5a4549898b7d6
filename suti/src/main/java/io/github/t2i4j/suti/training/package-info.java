/**
 * Training SuTI: {@link io.github.t2i4j.suti.training.SuTITraining} on (demonstrations, prompt,
 * target) examples from an {@link io.github.t2i4j.suti.training.ApprenticeshipSource} (the
 * DreamBooth experts' apprenticeship data, or {@link io.github.t2i4j.suti.training.WorldSubjectPairs},
 * real pairs of the world's subjects), with SuTI's {@link io.github.t2i4j.suti.training.ConditionDropout}.
 */
package io.github.t2i4j.suti.training;
