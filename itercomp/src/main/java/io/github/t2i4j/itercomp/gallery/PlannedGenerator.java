package io.github.t2i4j.itercomp.gallery;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.pipelines.DiffusionPipeline;
import io.github.t2i4j.core.pipelines.DiffusionPipelines;
import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.core.pipelines.TextToImageGenerator;
import io.github.t2i4j.core.schedulers.Scheduler;
import io.github.t2i4j.core.schedulers.Schedulers;
import io.github.t2i4j.core.tensor.HostArrays;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The planned member of IterComp's gallery, in the spirit of RPG (and LMD): a {@link
 * LayoutPlanner} (an LLM there, the world's grammar here) splits the prompt into regions, each
 * with its own sub-prompt, and the plain base model draws them together without any training.
 *
 * <p>Regional prompting at every step: one UNet call on the batch [empty prompt, full prompt,
 * region 1 prompt, ..., region k prompt] (the region prompt is "a " + the object's phrase); each
 * region's prediction is kept inside its box's latent mask (overlaps averaged), the full
 * prompt's everywhere else, and RPG's base ratio mixes in the full prompt's prediction overall:
 *
 * <pre>
 * regional = sum_r w_r eps_r + (1 - sum_r w_r) eps_full      (w_r = m_r / max(1, sum_r m_r))
 * eps_cond = baseRatio eps_full + (1 - baseRatio) regional
 * eps      = eps_uncond + g (eps_cond - eps_uncond)
 * </pre>
 *
 * RPG mixes the regions' cross-attention outputs inside the UNet; this mixes their noise
 * predictions (as MultiDiffusion's region-based generation does), which needs no change to the
 * UNet. With an empty layout it is the base pipeline. Image {@code i} is planned and drawn with
 * seed {@code seed + i}.
 */
public final class PlannedGenerator implements TextToImageGenerator {

    /**
     * Sampling settings.
     *
     * @param steps denoising steps
     * @param guidanceScale classifier-free guidance scale (1 or less: no guidance)
     * @param baseRatio weight of the full prompt's prediction mixed into the regional one (RPG's base_ratio)
     * @param scheduler a scheduler name, or null for the base pipeline's
     */
    public record Settings(int steps, float guidanceScale, double baseRatio, String scheduler) {
        public Settings {
            if (steps < 1) {
                throw new IllegalArgumentException("steps must be positive: " + steps);
            }
            if (!(baseRatio >= 0 && baseRatio <= 1)) {
                throw new IllegalArgumentException("baseRatio must be in [0, 1]: " + baseRatio);
            }
        }

        /** 20 steps, guidance 5, base ratio 0.3, the pipeline's scheduler. */
        public static Settings defaults() {
            return new Settings(20, 5f, 0.3, null);
        }

        public Settings withSteps(int s) {
            return new Settings(s, guidanceScale, baseRatio, scheduler);
        }

        public Settings withBaseRatio(double r) {
            return new Settings(steps, guidanceScale, r, scheduler);
        }
    }

    private final String name;
    private final StableDiffusionPipeline base;
    private final LayoutPlanner planner;
    private final Settings settings;
    private final NDManager manager;

    /** @param base the text-to-image pipeline (closed with this generator) */
    public PlannedGenerator(String name, StableDiffusionPipeline base, LayoutPlanner planner, Settings settings) {
        this.name = name;
        this.base = base;
        this.planner = planner;
        this.settings = settings;
        Device device = base.unet().namedParameters().values().iterator().next().getArray().getDevice();
        this.manager = NDManager.newBaseManager(device);
    }

    /** Loads a diffusers StableDiffusionPipeline folder (e.g. {@code models/world-ldm}) as the base model. */
    public static PlannedGenerator load(String name, Path pipelineDir, Device device, LayoutPlanner planner,
            Settings settings) {
        DiffusionPipeline pipe = DiffusionPipelines.load(pipelineDir, device);
        if (!(pipe instanceof StableDiffusionPipeline sd)) {
            pipe.close();
            throw new IllegalArgumentException(pipelineDir + " is not a StableDiffusionPipeline folder");
        }
        return new PlannedGenerator(name, sd, planner, settings);
    }

    @Override
    public String name() {
        return name;
    }

    public Settings settings() {
        return settings;
    }

    @Override
    public List<BufferedImage> generate(List<String> prompts, long seed) {
        return generate(prompts, planner.planAll(prompts, seed), seed);
    }

    /** Draws prompt {@code i} on layout {@code i} (given, not planned) with seed {@code seed + i}. */
    public List<BufferedImage> generate(List<String> prompts, List<Layout> layouts, long seed) {
        if (layouts.size() != prompts.size()) {
            throw new IllegalArgumentException(prompts.size() + " prompts but " + layouts.size() + " layouts");
        }
        List<BufferedImage> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            out.add(generateOne(prompts.get(i), layouts.get(i), seed + i));
        }
        return out;
    }

    private BufferedImage generateOne(String prompt, Layout layout, long seed) {
        boolean guided = settings.guidanceScale() > 1f;
        Scheduler scheduler = settings.scheduler() == null
                ? base.scheduler()
                : Schedulers.byName(settings.scheduler(), base.scheduler().config());
        int size = base.defaultSize();
        int f = base.vae().latentFactor();
        int k = layout.size();
        List<String> regionPrompts = layout.objects().stream().map(o -> regionPrompt(o.phrase())).toList();
        int first = guided ? 1 : 0; // index of the full prompt in the batch
        int n = first + 1 + k;
        float ratio = (float) settings.baseRatio();
        try (NDManager work = manager.newSubManager()) {
            // encoded as the pipeline encodes them (negative, prompt), so an empty layout is the pipeline exactly
            NDList parts = new NDList();
            if (guided) {
                parts.add(base.encode(work, List.of("")));
            }
            parts.add(base.encode(work, List.of(prompt)));
            if (k > 0) {
                parts.add(base.encode(work, regionPrompts));
            }
            NDArray context = parts.size() == 1 ? parts.head() : NDArrays.concat(parts);
            NDArray weights = k == 0 ? null : regionWeights(layout, size / f, size / f, work); // [k, 1, h, w]
            NDArray background = weights == null ? null : weights.sum(new int[] {0}).neg().add(1f); // [1, h, w]
            return GuidedSampling.sample(work, scheduler, base.vae(), size, size, base.unet().config().inChannels(), seed,
                    1, settings.steps(), (in, t, step) -> {
                        NDArray x = n == 1 ? in : in.repeat(0, n);
                        NDArray ts = work.full(new Shape(n), t);
                        NDArray eps = base.unet().forward(x, ts, context, null);
                        NDArray full = eps.get(new NDIndex("{}:{}", first, first + 1));
                        NDArray cond = full;
                        if (k > 0) {
                            NDArray regions = eps.get(new NDIndex("{}:", first + 1)); // [k, C, h, w]
                            NDArray regional = regions.mul(weights).sum(new int[] {0}, true).add(full.mul(background));
                            cond = full.mul(ratio).add(regional.mul(1 - ratio));
                        }
                        return guided ? GuidedSampling.guide(eps.get(new NDIndex("0:1")), cond, settings.guidanceScale()) : cond;
                    }).get(0);
        }
    }

    /** "a red circle", "an orange square": a region's prompt in the world's caption style. */
    static String regionPrompt(String phrase) {
        char c = Character.toLowerCase(phrase.charAt(0));
        return ("aeiou".indexOf(c) >= 0 ? "an " : "a ") + phrase;
    }

    /**
     * Each region's weight on the latent grid [k, 1, h, w]: 1 on the cells whose centres lie in its
     * box (at least the cell holding the box centre), divided by the number of regions covering
     * the cell where boxes overlap.
     */
    static NDArray regionWeights(Layout layout, int h, int w, NDManager manager) {
        int k = layout.size();
        float[] m = new float[k * h * w];
        float[] cover = new float[h * w];
        for (int r = 0; r < k; r++) {
            GroundedObject o = layout.objects().get(r);
            boolean any = false;
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    double y = (i + 0.5) / h;
                    double x = (j + 0.5) / w;
                    if (x >= o.x0() && x <= o.x1() && y >= o.y0() && y <= o.y1()) {
                        m[(r * h + i) * w + j] = 1;
                        any = true;
                    }
                }
            }
            if (!any) {
                int i = Math.min(h - 1, (int) ((o.y0() + o.y1()) / 2 * h));
                int j = Math.min(w - 1, (int) ((o.x0() + o.x1()) / 2 * w));
                m[(r * h + i) * w + j] = 1;
            }
            for (int c = 0; c < h * w; c++) {
                cover[c] += m[r * h * w + c];
            }
        }
        for (int r = 0; r < k; r++) {
            for (int c = 0; c < h * w; c++) {
                if (cover[c] > 1) {
                    m[r * h * w + c] /= cover[c];
                }
            }
        }
        return HostArrays.owned(manager.create(m, new Shape(k, 1, h, w)));
    }

    @Override
    public void close() {
        manager.close();
        base.close();
    }
}
