package io.github.t2i4j.examples;

import ai.djl.Device;
import io.github.t2i4j.core.world.Category;
import io.github.t2i4j.core.world.clip.WorldClip;
import io.github.t2i4j.itercomp.gallery.GrammarPlanner;
import io.github.t2i4j.itercomp.gallery.PlannedGenerator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** What {@code evaluate} and {@code itercomp gallery} share around a {@link io.github.t2i4j.core.evaluation.CompositionBenchmark} run. */
final class EvaluationRuns {
    /** The {@code --clip} value that skips the CLIP score and FID. */
    static final String NO_CLIP = "none";

    private EvaluationRuns() {}

    /** The six T2I-CompBench categories, then single: the default {@code --categories}. */
    static List<Category> allCategories() {
        List<Category> c = new ArrayList<>(Category.COMPBENCH);
        c.add(Category.SINGLE);
        return c;
    }

    /** The world CLIP of {@code --clip}, or null for {@value #NO_CLIP}. */
    static WorldClip openClip(String clip, String device) {
        return NO_CLIP.equals(clip) ? null : WorldClip.load(Path.of(clip), Device.fromName(device));
    }

    /** The progress bar of a benchmark run of {@code total} images. */
    static ProgressBar progressBar(String task, int total) {
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII).build();
    }

    /**
     * IterComp's planned member (grammar planner, regional prompting) on the pipeline {@code dir}:
     * {@code steps}, and {@code guidance} and {@code scheduler} when not null, over the planned
     * member's defaults.
     */
    static PlannedGenerator planned(String name, Path dir, String device, int steps, Float guidance, String scheduler) {
        PlannedGenerator.Settings d = PlannedGenerator.Settings.defaults();
        PlannedGenerator.Settings s = new PlannedGenerator.Settings(steps, guidance != null ? guidance : d.guidanceScale(),
                d.baseRatio(), scheduler != null ? scheduler : d.scheduler());
        return PlannedGenerator.load(name, dir, Device.fromName(device), new GrammarPlanner(), s);
    }
}
