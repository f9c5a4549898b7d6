package io.github.t2i4j.core.pipelines;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.image.Images;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.models.vae.AutoencoderKL;
import io.github.t2i4j.core.schedulers.NoiseSource;
import io.github.t2i4j.core.schedulers.Scheduler;
import io.github.t2i4j.core.schedulers.Schedulers;
import io.github.t2i4j.core.tensor.Noise;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Latent-diffusion text-to-image generation shared by the SD and SDXL pipelines: encode the prompt,
 * draw seeded latents, denoise them with the UNet and a scheduler under classifier-free guidance,
 * decode them with the VAE. Subclasses differ only in how they encode prompts.
 */
public abstract class DiffusionPipeline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DiffusionPipeline.class);

    protected final NDManager manager;
    protected final UNet2DConditionModel unet;
    protected final AutoencoderKL vae;
    protected final Scheduler scheduler;

    protected DiffusionPipeline(NDManager manager, UNet2DConditionModel unet, AutoencoderKL vae, Scheduler scheduler) {
        this.manager = manager;
        this.unet = unet;
        this.vae = vae;
        this.scheduler = scheduler;
    }

    /**
     * Encodes one prompt per image (and, when guided, the negative prompts first) on {@code work}.
     *
     * @param height image height in pixels (SDXL conditions on it)
     * @param width image width in pixels
     */
    protected abstract Conditioning encodePrompts(
            NDManager work, List<String> prompts, List<String> negatives, boolean guided, int height, int width);

    public UNet2DConditionModel unet() {
        return unet;
    }

    public AutoencoderKL vae() {
        return vae;
    }

    /** The scheduler the model directory names (used unless a request names another). */
    public Scheduler scheduler() {
        return scheduler;
    }

    /** The model's native image size: the UNet's sample size times the VAE's latent factor. */
    public int defaultSize() {
        return unet.config().sampleSize() * vae.latentFactor();
    }

    public GenerationResult generate(GenerationRequest request) {
        return generate(request, StepListener.NONE);
    }

    /** Generates the request's images; the same request always gives the same pixels. */
    public GenerationResult generate(GenerationRequest request, StepListener listener) {
        int height = request.height() == null ? defaultSize() : request.height();
        int width = request.width() == null ? defaultSize() : request.width();
        vae.checkImageSize(height, width);
        Scheduler sched =
                request.scheduler() == null ? scheduler : Schedulers.byName(request.scheduler(), scheduler.config());
        List<String> prompts = new ArrayList<>();
        List<String> negatives = new ArrayList<>();
        List<Long> seeds = new ArrayList<>();
        for (int p = 0; p < request.prompts().size(); p++) {
            for (int k = 0; k < request.imagesPerPrompt(); k++) {
                prompts.add(request.prompts().get(p));
                negatives.add(request.negativePrompt(p));
                seeds.add(request.seed() + seeds.size());
            }
        }
        int batch = prompts.size();
        boolean guided = request.guided();
        try (NDManager work = manager.newSubManager()) {
            long t0 = System.nanoTime();
            Conditioning cond = encodePrompts(work, prompts, negatives, guided, height, width);
            long t1 = System.nanoTime();

            int f = vae.latentFactor();
            Shape latentShape = new Shape(unet.config().inChannels(), height / f, width / f);
            NDArray latents = Noise.gaussianBatch(work, request.seed(), latentShape, batch);
            sched.setTimesteps(request.steps());
            latents = latents.mul(sched.initNoiseSigma());
            float[] timesteps = sched.timesteps();
            NoiseSource stepNoise = NoiseSource.seeded(request.seed() ^ 0x5DEECE66DL);
            for (int i = 0; i < timesteps.length; i++) {
                latents = denoiseStep(work, sched, latents, timesteps[i], cond, guided, request.guidanceScale(), stepNoise);
                listener.onStep(i + 1, timesteps.length);
            }
            long t2 = System.nanoTime();
            List<BufferedImage> images;
            try (NDScope scope = new NDScope()) {
                images = Images.toImages(vae.imageFromLatents(latents));
                scope.suppressNotUsedWarning();
            }
            long t3 = System.nanoTime();
            LOG.debug("generated {} image(s) of {}x{} in {} steps", batch, width, height, timesteps.length);
            return new GenerationResult(
                    images, prompts, seeds, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9);
        }
    }

    /** One scheduler step; every temporary of the step is freed before the next. */
    private NDArray denoiseStep(
            NDManager work,
            Scheduler sched,
            NDArray latents,
            float t,
            Conditioning cond,
            boolean guided,
            float guidance,
            NoiseSource stepNoise) {
        NDArray next;
        try (NDScope scope = new NDScope()) {
            NDArray in = guided ? NDArrays.concat(new NDList(latents, latents)) : latents;
            in = sched.scaleModelInput(in, t);
            NDArray ts = work.full(new Shape(in.getShape().get(0)), t);
            NDArray eps = unet.forward(in, ts, cond.context(), cond.added());
            if (guided) {
                NDList halves = eps.split(2);
                NDArray uncond = halves.get(0);
                eps = uncond.add(halves.get(1).sub(uncond).mul(guidance));
            }
            next = sched.step(eps, t, latents, stepNoise);
            NDScope.unregister(next);
        }
        if (next != latents) {
            latents.close();
        }
        return next;
    }

    @Override
    public void close() {
        manager.close();
    }
}
