package io.github.t2i4j.suti.training;

/**
 * Where SuTI's training examples come from: a fixed, indexed set of (demonstrations, prompt, target)
 * examples. {@link SuTITraining} draws indices uniformly with the step's Java generator, so an
 * implementation must return the same example for the same index every time (a resumed run then
 * sees exactly the data of the uninterrupted one). {@link WorldSubjectPairs} renders real pairs of
 * the world's subjects; the apprenticeship data built from DreamBooth experts implements this too.
 */
public interface ApprenticeshipSource {

    /** Number of examples; indices run from 0 to {@code size() - 1}. */
    long size();

    /** The example at {@code index}, the same on every call. */
    ApprenticeshipExample example(long index);

    /** A short description for logs and the run's configuration, e.g. "world subject pairs (train, 400 subjects)". */
    default String describe() {
        return getClass().getSimpleName() + " (" + size() + " examples)";
    }
}
