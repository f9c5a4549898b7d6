package io.github.t2i4j.suti.training;

import io.github.t2i4j.core.training.MicroBatch;
import io.github.t2i4j.suti.subjects.Demonstration;
import io.github.t2i4j.suti.subjects.Demonstrations;
import io.github.t2i4j.suti.subjects.Subject;
import io.github.t2i4j.suti.subjects.SubjectCatalog;
import io.github.t2i4j.suti.subjects.SubjectContext;
import io.github.t2i4j.suti.subjects.SubjectPrompt;
import io.github.t2i4j.suti.subjects.SubjectRenderer;
import io.github.t2i4j.suti.subjects.SubjectScene;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Real demonstration to real target pairs of the world's subjects: each example renders {@code
 * demonstrations} demonstrations of a subject ({@link Demonstrations#sample}) and, as the target,
 * another real render of the same subject, with a prompt for it. This is SuTI's "real to real"
 * baseline (the paper's training on real image clusters alone, which collapses into copying a
 * demonstration), against which the apprenticeship data of DreamBooth experts is compared. Where
 * the target is, {@link Targets}: in a context no demonstration shows (the world's renderer can draw
 * any), or, like the paper's web clusters whose images share their context, in the context of one
 * of the demonstrations, captioned with its caption.
 *
 * <p>Example {@code i} is of subject {@code subjects[i mod n]}, drawn from a generator seeded by
 * (seed, i): the same index always gives the same pixels.
 */
public final class WorldSubjectPairs implements ApprenticeshipSource {

    /** Which context the real target shows. */
    public enum Targets {
        /** One no demonstration shows, with a new-context prompt ({@link Demonstrations#newContextPrompts}). */
        NEW_CONTEXT,
        /**
         * The context of a random one of the demonstrations, staged anew, prompted with that
         * demonstration's caption (a cluster of near-duplicates: copying a demonstration fits it).
         */
        DEMONSTRATED_CONTEXT
    }

    private final List<Subject> subjects;
    private final long examplesPerSubject;
    private final int demonstrations;
    private final SubjectRenderer renderer;
    private final Demonstrations sampler;
    private final long seed;
    private final String name;
    private final Targets targets;

    /**
     * @param subjects the subjects (e.g. the catalog's training subjects)
     * @param examplesPerSubject examples per subject
     * @param demonstrations demonstrations per example ({@value Demonstrations#MIN} to {@value
     *     Demonstrations#MAX}; training uses a subset when it draws fewer)
     * @param imageSize side of the rendered images in pixels (the base model's size)
     * @param seed the seed of every example's generator
     * @param targets which context the targets show
     */
    public WorldSubjectPairs(List<Subject> subjects, long examplesPerSubject, int demonstrations, int imageSize, long seed,
            String name, Targets targets) {
        if (subjects.isEmpty() || examplesPerSubject < 1) {
            throw new IllegalArgumentException("need subjects and examples per subject: " + subjects.size() + ", "
                    + examplesPerSubject);
        }
        if (demonstrations < Demonstrations.MIN || demonstrations > Demonstrations.MAX) {
            throw new IllegalArgumentException("demonstrations per example must be " + Demonstrations.MIN + " to "
                    + Demonstrations.MAX + ", got " + demonstrations);
        }
        this.subjects = List.copyOf(subjects);
        this.examplesPerSubject = examplesPerSubject;
        this.demonstrations = demonstrations;
        this.renderer = new SubjectRenderer(imageSize, imageSize);
        this.sampler = new Demonstrations(renderer);
        this.seed = seed;
        this.name = name;
        this.targets = java.util.Objects.requireNonNull(targets, "targets");
    }

    /** The catalog's training subjects, {@value Demonstrations#MAX} demonstrations per example. */
    public static WorldSubjectPairs training(long examplesPerSubject, int imageSize, long seed, Targets targets) {
        return new WorldSubjectPairs(SubjectCatalog.load().training(), examplesPerSubject, Demonstrations.MAX, imageSize,
                seed, "world subject pairs (train, " + targets.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                        + ")", targets);
    }

    /** The catalog's held-out subjects, {@value Demonstrations#MAX} demonstrations per example (validation). */
    public static WorldSubjectPairs heldOut(long examplesPerSubject, int imageSize, long seed) {
        return new WorldSubjectPairs(SubjectCatalog.load().heldOut(), examplesPerSubject, Demonstrations.MAX, imageSize,
                seed, "world subject pairs (held out)", Targets.NEW_CONTEXT);
    }

    @Override
    public long size() {
        return subjects.size() * examplesPerSubject;
    }

    /** The subject of example {@code index}. */
    public Subject subject(long index) {
        return subjects.get((int) Math.floorMod(index, (long) subjects.size()));
    }

    @Override
    public ApprenticeshipExample example(long index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException("example " + index + " of " + size());
        }
        Subject subject = subject(index);
        SplittableRandom rng = new SplittableRandom(MicroBatch.streamSeed(seed, index, 0));
        List<Demonstration> demos = sampler.sample(subject, demonstrations, rng);
        String prompt;
        SubjectContext context;
        if (targets == Targets.NEW_CONTEXT) {
            SubjectPrompt p = Demonstrations.newContextPrompts(subject, demos, 1, rng).get(0);
            prompt = p.text();
            context = p.context();
        } else {
            Demonstration shown = demos.get(rng.nextInt(demos.size()));
            prompt = shown.caption();
            context = shown.context();
        }
        BufferedImage target = renderer.render(SubjectScene.stage(subject, context, rng));
        return new ApprenticeshipExample(demos.stream().map(Demonstration::image).toList(),
                demos.stream().map(Demonstration::caption).toList(), prompt, target);
    }

    @Override
    public String describe() {
        return name + ", " + subjects.size() + " subjects x " + examplesPerSubject + " examples, " + demonstrations
                + " demonstrations, " + renderer.width() + " px";
    }
}
