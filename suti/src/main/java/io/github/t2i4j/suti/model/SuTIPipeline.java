package io.github.t2i4j.suti.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.image.Images;
import io.github.t2i4j.core.io.JsonFiles;
import io.github.t2i4j.core.pipelines.DiffusionPipeline;
import io.github.t2i4j.core.pipelines.DiffusionPipelines;
import io.github.t2i4j.core.pipelines.GenerationResult;
import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.core.schedulers.NoiseSource;
import io.github.t2i4j.core.schedulers.Scheduler;
import io.github.t2i4j.core.schedulers.Schedulers;
import io.github.t2i4j.core.tensor.NoGrad;
import io.github.t2i4j.core.tensor.Noise;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subject-driven generation with a {@link SuTIUNet}: demonstrations of a subject and a prompt in,
 * images of the subject in the prompt's context out, in one sampling run (no per-subject tuning).
 * The base Stable Diffusion pipeline the SuTI UNet was trained from supplies the tokenizer, the text
 * encoder, the VAE and the scheduler configuration.
 *
 * <ol>
 *   <li>The VAE encodes the demonstration images (posterior mode, scaled), the text encoder their
 *       captions, and the SuTI UNet's encoder both into the demonstration tokens (once per request).
 *   <li>The prompt and the empty prompt are encoded; the latents start as seeded Gaussian noise
 *       (image i from {@code seed + i}, as core's pipelines draw them).
 *   <li>Each step takes its {@link InterleavedGuidance} choice (drawn from the seed) and evaluates
 *       the two predictions it needs, {@code e(x, text, demos)} and either {@code e(x, empty,
 *       demos)} (text guidance) or {@code e(x, text, none)} (demonstration guidance), in one batched
 *       UNet call; only the full prediction when the chosen scale is 1. The scheduler steps on the
 *       guided prediction (stochastic schedulers draw from a seeded source).
 *   <li>The VAE decodes the latents.
 * </ol>
 *
 * The same request gives the same pixels. The loop follows core's {@link DiffusionPipeline}.
 */
public final class SuTIPipeline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SuTIPipeline.class);
    /** The {@code _class_name} of a SuTI model folder's {@code model_index.json}. */
    public static final String CLASS_NAME = "SuTIPipeline";
    /** The SuTI UNet's subfolder in a SuTI model folder. */
    public static final String UNET = "unet";
    /** Mixed into the request seed for the guidance choices. */
    static final long GUIDANCE_SALT = 0x7F4A7C159E3779B9L;

    private final NDManager manager;
    private final StableDiffusionPipeline base;
    private final SuTIUNet suti;
    private final Scheduler scheduler;
    private final boolean owner;
    private InterleavedGuidance guidanceDefaults = InterleavedGuidance.defaults();

    /**
     * A pipeline that borrows {@code base}'s tokenizer, text encoder, VAE and scheduler configuration
     * and {@code suti}; both must outlive it (closing it frees only its own working memory).
     */
    public SuTIPipeline(StableDiffusionPipeline base, SuTIUNet suti) {
        this(base, suti, false, NDManager.newBaseManager(device(base)));
    }

    private SuTIPipeline(StableDiffusionPipeline base, SuTIUNet suti, boolean owner, NDManager manager) {
        if (!base.unet().config().equals(suti.unet().config())) {
            manager.close();
            throw new IllegalArgumentException("the SuTI UNet's config differs from the base pipeline's UNet: it was"
                    + " trained from another base model\n  SuTI: " + suti.unet().config().toJson() + "\n  base: "
                    + base.unet().config().toJson());
        }
        this.base = base;
        this.suti = suti;
        this.owner = owner;
        this.manager = manager;
        this.scheduler = Schedulers.fromConfig(base.scheduler().config());
    }

    /**
     * Loads the base pipeline folder ({@code models/world-ldm} layout: a diffusers
     * StableDiffusionPipeline) and a SuTI UNet folder ({@link SuTIUNet#save}) onto {@code device};
     * the pipeline owns both and closes them.
     */
    public static SuTIPipeline load(Path baseDir, Path sutiDir, Device device) {
        DiffusionPipeline loaded = DiffusionPipelines.load(baseDir, device);
        if (!(loaded instanceof StableDiffusionPipeline sd)) {
            loaded.close();
            throw new IllegalArgumentException("SuTI needs a StableDiffusionPipeline base, " + baseDir + " holds a "
                    + loaded.getClass().getSimpleName());
        }
        NDManager manager = NDManager.newBaseManager(device);
        try {
            SuTIUNet suti = SuTIUNet.fromPretrained(sutiDir, manager);
            suti.unet().freezeParameters();
            return new SuTIPipeline(sd, suti, true, manager);
        } catch (RuntimeException e) {
            manager.close();
            sd.close();
            throw e;
        }
    }

    /**
     * Loads a SuTI model folder ({@code models/suti}): its {@code model_index.json} names the base
     * pipeline folder (relative to the folder) and the sampling defaults, {@value #UNET}/ holds the
     * SuTI UNet. A clear error for a folder of another kind.
     */
    public static SuTIPipeline load(Path dir, Device device) {
        JsonObject index = readIndex(dir);
        return withSampling(load(baseFolder(dir, index), dir.resolve(UNET), device), index);
    }

    /**
     * Loads only the SuTI UNet of a SuTI model folder and borrows {@code base} (already loaded: it
     * must be the folder's base model, or one with the same UNet config); closing the pipeline frees
     * the SuTI UNet, not the base.
     */
    public static SuTIPipeline load(Path dir, StableDiffusionPipeline base) {
        JsonObject index = readIndex(dir);
        NDManager manager = NDManager.newBaseManager(device(base));
        try {
            SuTIUNet suti = SuTIUNet.fromPretrained(dir.resolve(UNET), manager);
            suti.unet().freezeParameters();
            return withSampling(new SuTIPipeline(base, suti, false, manager), index);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The base pipeline folder a SuTI model folder names. */
    public static Path baseFolder(Path dir) {
        return baseFolder(dir, readIndex(dir));
    }

    private static Path baseFolder(Path dir, JsonObject index) {
        return dir.resolve(index.get("base").getAsString()).normalize();
    }

    private static SuTIPipeline withSampling(SuTIPipeline p, JsonObject index) {
        if (index.has("sampling")) {
            JsonObject g = index.getAsJsonObject("sampling");
            p.guidanceDefaults = new InterleavedGuidance(g.get("text_guidance").getAsFloat(),
                    g.get("demo_guidance").getAsFloat(), g.get("text_ratio").getAsDouble());
        }
        return p;
    }

    /**
     * Writes {@code dir/model_index.json} of a SuTI model folder whose UNet is in {@code dir/}{@value
     * #UNET}: the base folder (stored relative to {@code dir}) and the sampling defaults.
     */
    public static void writeIndex(Path dir, Path baseDir, InterleavedGuidance sampling) {
        JsonObject o = new JsonObject();
        o.addProperty("_class_name", CLASS_NAME);
        Path abs = dir.toAbsolutePath().normalize();
        o.addProperty("base", abs.relativize(baseDir.toAbsolutePath().normalize()).toString().replace('\\', '/'));
        JsonArray unet = new JsonArray();
        unet.add("t2i4j");
        unet.add("SuTIUNet");
        o.add(UNET, unet);
        JsonObject g = new JsonObject();
        g.addProperty("text_guidance", sampling.textScale());
        g.addProperty("demo_guidance", sampling.demoScale());
        g.addProperty("text_ratio", sampling.textRatio());
        o.add("sampling", g);
        JsonFiles.writeObject(dir.resolve("model_index.json"), o);
    }

    /** Whether {@code dir} is a SuTI model folder (its model_index.json says {@value #CLASS_NAME}). */
    public static boolean isSuTIFolder(Path dir) {
        Path index = dir.resolve("model_index.json");
        if (!Files.isRegularFile(index)) {
            return false;
        }
        try {
            return isSuTIIndex(JsonFiles.readObject(index, "model index"));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static JsonObject readIndex(Path dir) {
        Path index = dir.resolve("model_index.json");
        JsonObject o = JsonFiles.readObject(index, "SuTI model index");
        if (!isSuTIIndex(o)) {
            throw new IllegalArgumentException(dir + " is not a SuTI model folder: its model_index.json says "
                    + o.get("_class_name") + ", not " + CLASS_NAME);
        }
        if (!o.has("base")) {
            throw new IllegalArgumentException(index + " names no base pipeline folder (\"base\")");
        }
        return o;
    }

    private static boolean isSuTIIndex(JsonObject index) {
        return index.has("_class_name") && CLASS_NAME.equals(index.get("_class_name").getAsString());
    }

    /** The interleaved guidance the model folder recommends (the defaults when it says none). */
    public InterleavedGuidance guidanceDefaults() {
        return guidanceDefaults;
    }

    private static Device device(StableDiffusionPipeline base) {
        return base.unet().namedParameters().values().iterator().next().getArray().getDevice();
    }

    public SuTIUNet suti() {
        return suti;
    }

    public StableDiffusionPipeline base() {
        return base;
    }

    /** The model's image size in pixels (demonstrations of another size are resized to it). */
    public int size() {
        return base.defaultSize();
    }

    /**
     * Generates the request's images, prompt by prompt (image i from seed + i); the same request
     * gives the same pixels. The demonstrations are encoded once for the whole batch.
     */
    public GenerationResult generate(SuTIRequest request) {
        List<String> prompts = new ArrayList<>();
        for (String p : request.prompts()) {
            prompts.addAll(Collections.nCopies(request.imagesPerPrompt(), p));
        }
        return NoGrad.run(() -> run(request, prompts));
    }

    /** The request's batch: {@code prompts.get(i)} is image i's prompt. */
    private GenerationResult run(SuTIRequest r, List<String> prompts) {
        int n = prompts.size();
        int size = size();
        try (NDManager work = manager.newSubManager()) {
            long t0 = System.nanoTime();
            DemonstrationFeatures demos = demonstrationFeatures(r, work).repeat(n);
            NDArray text = base.encode(work, prompts);
            NDArray empty = base.encode(work, Collections.nCopies(n, ""));
            DemonstrationFeatures none = demos.none();
            long t1 = System.nanoTime();

            int f = base.vae().latentFactor();
            Shape latentShape = new Shape(suti.unet().config().inChannels(), size / f, size / f);
            NDArray latents = Noise.gaussianBatch(work, r.seed(), latentShape, n);
            scheduler.setTimesteps(r.steps());
            latents = latents.mul(scheduler.initNoiseSigma());
            float[] timesteps = scheduler.timesteps();
            List<InterleavedGuidance.Choice> choices = r.guidance().schedule(timesteps.length, r.seed() ^ GUIDANCE_SALT);
            NoiseSource stepNoise = NoiseSource.seeded(r.seed() ^ 0x5DEECE66DL);
            for (int i = 0; i < timesteps.length; i++) {
                InterleavedGuidance.Choice c = choices.get(i);
                latents = step(work, latents, timesteps[i], c, r.guidance(), text, demos,
                        c == InterleavedGuidance.Choice.TEXT ? empty : text,
                        c == InterleavedGuidance.Choice.TEXT ? demos : none, stepNoise);
            }
            long t2 = System.nanoTime();
            List<BufferedImage> images;
            try (NDScope scope = new NDScope()) {
                images = Images.toImages(base.vae().imageFromLatents(latents));
                scope.suppressNotUsedWarning();
            }
            long t3 = System.nanoTime();
            List<Long> seeds = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                seeds.add(r.seed() + i);
            }
            LOG.debug("SuTI: {} image(s) from {} demonstrations in {} steps ({} text-guided)", n, r.demoImages().size(),
                    timesteps.length, choices.stream().filter(c -> c == InterleavedGuidance.Choice.TEXT).count());
            return new GenerationResult(images, prompts, seeds, (t1 - t0) / 1e9,
                    (t2 - t1) / 1e9, (t3 - t2) / 1e9);
        }
    }

    /** The encoder features of the request's demonstrations, a batch of one. */
    private DemonstrationFeatures demonstrationFeatures(SuTIRequest r, NDManager work) {
        NDArray images = ImageTensors.of(r.demoImages(), size(), work);
        NDArray latents = base.vae().latentsFromImage(images); // [K, C, h, w]
        NDArray states = base.encode(work, r.demoCaptions());
        return suti.encodeDemonstrations(latents.expandDims(0), states);
    }

    /**
     * One scheduler step on the guided prediction; every temporary of the step is freed before the
     * next.
     */
    private NDArray step(NDManager work, NDArray latents, float t, InterleavedGuidance.Choice choice,
            InterleavedGuidance guidance, NDArray text, DemonstrationFeatures demos, NDArray withoutText,
            DemonstrationFeatures withoutDemos, NoiseSource stepNoise) {
        NDArray next;
        boolean guided = guidance.scale(choice) != 1f;
        try (NDScope scope = new NDScope()) {
            NDArray in = guided ? NDArrays.concat(new NDList(latents, latents)) : latents;
            in = scheduler.scaleModelInput(in, t);
            NDArray ts = work.full(new Shape(in.getShape().get(0)), t);
            NDArray ctx = guided ? NDArrays.concat(new NDList(text, withoutText)) : text;
            DemonstrationFeatures demo = guided ? demos.concat(withoutDemos) : demos;
            NDArray eps = suti.forward(in, ts, ctx, demo);
            if (guided) {
                NDList halves = eps.split(2);
                eps = guidance.guide(choice, halves.get(0), halves.get(1));
            }
            next = scheduler.step(eps, t, latents, stepNoise);
            NDScope.unregister(next);
        }
        if (next != latents) {
            latents.close();
        }
        return next;
    }

    /** Frees the working memory; a pipeline from {@link #load} also closes its models. */
    @Override
    public void close() {
        manager.close();
        if (owner) {
            base.close();
        }
    }
}
