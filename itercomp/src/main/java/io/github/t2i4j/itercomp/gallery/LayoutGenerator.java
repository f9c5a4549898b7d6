package io.github.t2i4j.itercomp.gallery;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.pipelines.DiffusionPipeline;
import io.github.t2i4j.core.pipelines.DiffusionPipelines;
import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.core.pipelines.TextToImageGenerator;
import io.github.t2i4j.core.schedulers.Scheduler;
import io.github.t2i4j.core.schedulers.Schedulers;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The layout-based member of IterComp's gallery (InstanceDiffusion there; GLIGEN here): the
 * prompt goes to a {@link LayoutPlanner}, and a {@link GligenUNet} draws the image conditioned on
 * the caption and on the planned boxes with their phrases.
 *
 * <p>As diffusers' {@code StableDiffusionGLIGENPipeline}: the phrases are encoded by the base
 * pipeline's text encoder (pooled output); under classifier-free guidance the unconditional half
 * has the empty prompt and the same slots with every mask 0 (null grounding tokens); GLIGEN's
 * scheduled sampling keeps the fusers on for the first {@code beta} of the steps ({@code
 * int(beta * steps)}, 0.3 in GLIGEN and diffusers) and runs the plain base UNet after that, which
 * fixes the layout early and leaves the details to the base model. Image {@code i} is planned and
 * drawn with seed {@code seed + i}.
 */
public final class LayoutGenerator implements TextToImageGenerator {
    private static final Logger LOG = LoggerFactory.getLogger(LayoutGenerator.class);

    /**
     * Sampling settings.
     *
     * @param steps denoising steps
     * @param guidanceScale classifier-free guidance scale (1 or less: no guidance)
     * @param scheduledSamplingBeta the fraction of the steps with grounding (GLIGEN's beta; 1: every step)
     * @param maxObjects grounding slots per image
     * @param scheduler a scheduler name ({@link Schedulers#byName}), or null for the base pipeline's
     */
    public record Settings(int steps, float guidanceScale, double scheduledSamplingBeta, int maxObjects, String scheduler) {
        public Settings {
            if (steps < 1) {
                throw new IllegalArgumentException("steps must be positive: " + steps);
            }
            if (!(scheduledSamplingBeta >= 0 && scheduledSamplingBeta <= 1)) {
                throw new IllegalArgumentException("scheduledSamplingBeta must be in [0, 1]: " + scheduledSamplingBeta);
            }
            if (maxObjects < 1) {
                throw new IllegalArgumentException("maxObjects must be positive: " + maxObjects);
            }
        }

        /** 20 steps (the world pipeline's), guidance 5, beta 0.3 (GLIGEN's), 4 slots, the pipeline's scheduler. */
        public static Settings defaults() {
            return new Settings(20, 5f, 0.3, 4, null);
        }

        public Settings withSteps(int s) {
            return new Settings(s, guidanceScale, scheduledSamplingBeta, maxObjects, scheduler);
        }

        public Settings withGuidanceScale(float g) {
            return new Settings(steps, g, scheduledSamplingBeta, maxObjects, scheduler);
        }

        public Settings withScheduledSamplingBeta(double beta) {
            return new Settings(steps, guidanceScale, beta, maxObjects, scheduler);
        }

        /** Denoising steps that run with grounding: diffusers' {@code int(beta * len(timesteps))}. */
        public int groundingSteps() {
            return (int) (scheduledSamplingBeta * steps);
        }
    }

    private final String name;
    private final StableDiffusionPipeline base;
    private final GligenUNet gligen;
    private final LayoutPlanner planner;
    private final Settings settings;
    private final GroundingEncoder grounding;
    private final NDManager manager;
    private final List<AutoCloseable> owned = new ArrayList<>();

    /**
     * @param base the text-to-image pipeline GLIGEN was trained on: its text encoder, tokenizer,
     *     VAE and scheduler are used (its UNet is not); closed with this generator
     * @param gligen the GLIGEN UNet (may wrap {@code base}'s own UNet)
     */
    public LayoutGenerator(String name, StableDiffusionPipeline base, GligenUNet gligen, LayoutPlanner planner,
            Settings settings) {
        int text = base.textEncoder().config().hiddenSize();
        if (text != gligen.positionNet().positiveLen()) {
            throw new IllegalArgumentException("the text encoder's width " + text + " differs from position_net's phrase"
                    + " width " + gligen.positionNet().positiveLen());
        }
        this.name = name;
        this.base = base;
        this.gligen = gligen;
        this.planner = planner;
        this.settings = settings;
        this.grounding = new GroundingEncoder(base.tokenizer(), base.textEncoder(), settings.maxObjects());
        Device device = gligen.namedParameters().values().iterator().next().getArray().getDevice();
        this.manager = NDManager.newBaseManager(device);
        owned.add(base);
    }

    /**
     * Loads the base pipeline folder (a diffusers StableDiffusionPipeline, e.g. {@code
     * models/world-ldm}) and a GLIGEN UNet folder trained on it ({@link LayoutTraining}).
     */
    public static LayoutGenerator load(String name, Path pipelineDir, Path gligenDir, Device device, LayoutPlanner planner,
            Settings settings) {
        DiffusionPipeline pipe = DiffusionPipelines.load(pipelineDir, device);
        if (!(pipe instanceof StableDiffusionPipeline sd)) {
            pipe.close();
            throw new IllegalArgumentException(pipelineDir + " is not a StableDiffusionPipeline folder");
        }
        NDManager weights = NDManager.newBaseManager(device);
        try {
            LayoutGenerator g = new LayoutGenerator(name, sd, GligenUNet.fromPretrained(gligenDir, weights), planner, settings);
            g.owned.add(weights);
            return g;
        } catch (RuntimeException e) {
            weights.close();
            sd.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return name;
    }

    public Settings settings() {
        return settings;
    }

    public LayoutPlanner planner() {
        return planner;
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
        if (prompts.isEmpty()) {
            return List.of();
        }
        int batch = prompts.size();
        boolean guided = settings.guidanceScale() > 1f;
        int groundingSteps = settings.groundingSteps();
        Scheduler scheduler = settings.scheduler() == null
                ? base.scheduler()
                : Schedulers.byName(settings.scheduler(), base.scheduler().config());
        int size = base.defaultSize();
        try (NDManager work = manager.newSubManager()) {
            NDArray cond = base.encode(work, prompts);
            GroundingInput g = grounding.encode(layouts, work);
            NDArray context;
            GroundingInput ground;
            if (guided) {
                NDArray uncond = base.encode(work, Collections.nCopies(batch, ""));
                context = NDArrays.concat(new NDList(uncond, cond));
                ground = GroundingInput.concat(g.withoutObjects(), g);
            } else {
                context = cond;
                ground = g;
            }
            List<BufferedImage> images = GuidedSampling.sample(work, scheduler, base.vae(), size, size,
                    gligen.unet().config().inChannels(), seed, batch, settings.steps(), (in, t, step) -> {
                        NDArray x = guided ? NDArrays.concat(new NDList(in, in)) : in;
                        NDArray ts = work.full(new Shape(x.getShape().get(0)), t);
                        NDArray eps = gligen.forward(x, ts, context, step < groundingSteps ? ground : null);
                        if (!guided) {
                            return eps;
                        }
                        NDList halves = eps.split(2);
                        return GuidedSampling.guide(halves.get(0), halves.get(1), settings.guidanceScale());
                    });
            LOG.debug("{}: {} image(s), grounding in {} of {} steps", name, batch, groundingSteps, settings.steps());
            return images;
        }
    }

    @Override
    public void close() {
        manager.close();
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                LOG.warn("{}: closing {} failed: {}", name, owned.get(i), e.toString());
            }
        }
    }
}
