package io.github.t2i4j.itercomp.preference;

/** A (better, worse) pair of images for one caption, taken from a {@link Ranking}: what a reward model learns from. */
public record PreferencePair(Aspect aspect, long index, String caption, RankedImage better, RankedImage worse) {}
