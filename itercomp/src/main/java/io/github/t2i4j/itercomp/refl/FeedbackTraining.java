package io.github.t2i4j.itercomp.refl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.io.AtomicFiles;
import io.github.t2i4j.core.io.Dtype;
import io.github.t2i4j.core.io.JsonFiles;
import io.github.t2i4j.core.io.JsonLines;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.pipelines.Conditioning;
import io.github.t2i4j.core.pipelines.DiffusionPipeline;
import io.github.t2i4j.core.pipelines.DiffusionPipelines;
import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.core.schedulers.Scheduler;
import io.github.t2i4j.core.schedulers.Schedulers;
import io.github.t2i4j.core.training.AdamW;
import io.github.t2i4j.core.training.EMA;
import io.github.t2i4j.core.training.Trainer;
import io.github.t2i4j.core.training.TrainingLoop;
import io.github.t2i4j.core.world.WorldDataset;
import io.github.t2i4j.core.world.WorldExample;
import io.github.t2i4j.core.world.WorldSplit;
import io.github.t2i4j.core.world.ldm.LatentCache;
import io.github.t2i4j.itercomp.preference.Aspect;
import io.github.t2i4j.itercomp.reward.RewardModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IterComp's multi-reward feedback learning as a job: optimises the UNet of a Stable Diffusion
 * pipeline folder against the frozen reward models of the three aspects ({@link RewardFeedbackStep}:
 * DDPM sampling without gradient to a late step, one UNet call with gradient, VAE decode, the
 * rewards' hinge loss), optionally with the ordinary denoising loss on world renders as a
 * regulariser, and writes the optimised model as a new pipeline folder: the base's files with the
 * EMA of the optimised UNet in fp16. Same architecture, same steps: the inference cost is the base's.
 *
 * <p>Checkpoints (UNet, AdamW and EMA state) go to the work folder every few steps and a run
 * resumes exactly; the loss goes to {@code feedback/metrics.jsonl} and the last micro-batch's mean
 * reward of each aspect, step by step, to {@code feedback/rewards.jsonl}.
 */
public final class FeedbackTraining {
    private static final Logger LOG = LoggerFactory.getLogger(FeedbackTraining.class);

    private FeedbackTraining() {}

    /**
     * Settings.
     *
     * @param inferenceSteps DDPM sampling steps (paper: 40)
     * @param lateMin first step index the gradient step is drawn from (paper: 30)
     * @param lateMax last step index the gradient step is drawn from (paper: 39)
     * @param guidance classifier-free guidance while sampling and at the gradient step (paper: 1, none)
     * @param rewardScale the hinge loss's factor (paper: 1e-3)
     * @param margin the hinge's margin on each normalised reward (paper: 2)
     * @param regularizerWeight weight of the denoising loss on world renders (0: none, as IterComp's script)
     * @param regularizerCache training renders whose VAE latents are cached for the regulariser
     * @param anchorWeight weight of DPOK's KL regulariser: the squared distance between the UNet's
     *     output and the starting UNet's (frozen) at the gradient step (0: none, as the paper)
     * @param loop steps, prompts per step, AdamW rate and weight decay, seed, checkpoints, stop-after, progress
     * @param emaDecay the EMA decay of the optimised UNet (what is saved)
     */
    public record Options(int inferenceSteps, int lateMin, int lateMax, float guidance, double rewardScale, double margin,
            double regularizerWeight, int regularizerCache, double anchorWeight, TrainingLoop loop, double emaDecay)
            implements TrainingLoop.Holder<Options> {

        public Options {
            if (inferenceSteps < 1 || lateMin < 0 || lateMin > lateMax || lateMax >= inferenceSteps) {
                throw new IllegalArgumentException("late steps [" + lateMin + ", " + lateMax + "] must lie within [0, "
                        + inferenceSteps + ")");
            }
            if (!(guidance >= 1) || Float.isInfinite(guidance)) {
                throw new IllegalArgumentException("guidance must be finite and >= 1 (1: none): " + guidance);
            }
            if (!(rewardScale > 0) || !Double.isFinite(margin) || !(regularizerWeight >= 0)) {
                throw new IllegalArgumentException("reward scale must be positive, margin finite, regulariser weight >= 0: "
                        + rewardScale + ", " + margin + ", " + regularizerWeight);
            }
            if (!(anchorWeight >= 0) || Double.isInfinite(anchorWeight)) {
                throw new IllegalArgumentException("anchor weight must be finite and >= 0: " + anchorWeight);
            }
            if (regularizerWeight > 0 && regularizerCache < 1) {
                throw new IllegalArgumentException("a regulariser needs cached renders: " + regularizerCache);
            }
            if (!(emaDecay >= 0 && emaDecay < 1)) {
                throw new IllegalArgumentException("emaDecay must be in [0, 1): " + emaDecay);
            }
            Objects.requireNonNull(loop, "loop");
        }

        /**
         * The paper's settings (40 DDPM steps without guidance, gradient at a step in [30, 39], 1e-3 * ReLU(2 - r),
         * AdamW 1e-5 with weight decay 0.01, 200 steps) at 8 prompts per step, with the denoising
         * regulariser at weight 1 on 4,096 cached renders (ImageReward's option), EMA 0.99.
         */
        public static Options defaults() {
            return new Options(40, 30, 39, 1f, 1e-3, 2.0, 1.0, 4096, 0.0,
                    new TrainingLoop(200, 8, 1e-5, 0, 0.01, 0, 50, 0, true),
                    0.99);
        }

        @Override
        public Options withLoop(TrainingLoop l) {
            return new Options(inferenceSteps, lateMin, lateMax, guidance, rewardScale, margin, regularizerWeight,
                    regularizerCache, anchorWeight, l, emaDecay);
        }

        public Options withRegularizer(double weight) {
            return new Options(inferenceSteps, lateMin, lateMax, guidance, rewardScale, margin, weight, regularizerCache,
                    anchorWeight, loop, emaDecay);
        }

        /** With {@code steps} sampling steps, the gradient step drawn from their last quarter (the paper's 30..39 of 40). */
        public Options withInferenceSteps(int steps) {
            int min = (int) Math.round(steps * 0.75);
            return new Options(steps, min, steps - 1, guidance, rewardScale, margin, regularizerWeight, regularizerCache,
                    anchorWeight, loop, emaDecay);
        }

        /** With DPOK's KL regulariser at {@code weight} (0: none). */
        public Options withAnchor(double weight) {
            return new Options(inferenceSteps, lateMin, lateMax, guidance, rewardScale, margin, regularizerWeight,
                    regularizerCache, weight, loop, emaDecay);
        }

        public Options withGuidance(float g) {
            return new Options(inferenceSteps, lateMin, lateMax, g, rewardScale, margin, regularizerWeight,
                    regularizerCache, anchorWeight, loop, emaDecay);
        }
    }

    /**
     * What a run produced.
     *
     * @param pipelineDir the optimised pipeline folder
     * @param steps the last step trained
     * @param seconds wall time of this call
     * @param firstRewards mean of each reward over the first tenth of this call's steps, by reward name
     * @param lastRewards the same over the last tenth
     */
    public record Result(Path pipelineDir, long steps, double seconds, Map<String, Double> firstRewards,
            Map<String, Double> lastRewards) {}

    /**
     * Optimises {@code basePipeline}'s UNet against {@code rewardDirs} (a reward model folder per
     * aspect) on {@code prompts}, and writes the optimised pipeline folder {@code outPipeline}.
     */
    public static Result train(Options o, Path basePipeline, Map<Aspect, Path> rewardDirs, List<String> prompts,
            Path outPipeline, Path workDir, boolean resume, Device device) {
        Map<String, Path> named = new LinkedHashMap<>();
        new TreeMap<>(rewardDirs).forEach((a, d) -> named.put(a.key(), d));
        return trainNamed(o, basePipeline, named, prompts, outPipeline, workDir, resume, device);
    }

    /**
     * As {@link #train}, with the reward models named by the caller, in the given order: one model
     * of every aspect for the one-reward-model ablation, or any other set.
     */
    public static Result trainNamed(Options o, Path basePipeline, Map<String, Path> rewardDirs, List<String> prompts,
            Path outPipeline, Path workDir, boolean resume, Device device) {
        if (rewardDirs.isEmpty()) {
            throw new IllegalArgumentException("need at least one reward model");
        }
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("need training prompts");
        }
        long t0 = System.nanoTime();
        Path logDir = outPipeline.resolve("feedback");
        try (DiffusionPipeline loaded = DiffusionPipelines.load(basePipeline, device);
                NDManager manager = NDManager.newBaseManager(device)) {
            if (!(loaded instanceof StableDiffusionPipeline pipe)) {
                throw new IllegalArgumentException("feedback learning takes a StableDiffusionPipeline folder; "
                        + basePipeline + " holds a " + loaded.getClass().getSimpleName());
            }
            Files.createDirectories(workDir);
            Files.createDirectories(logDir);
            UNet2DConditionModel unet = pipe.unet();
            for (Parameter p : unet.namedParameters().values()) {
                p.freeze(false);
            }
            if (unet.namedParameters().values().iterator().next().getArray().getDataType() != DataType.FLOAT32) {
                throw new IllegalStateException("the UNet must be trained in float32");
            }
            List<String> aspects = new ArrayList<>(rewardDirs.keySet());
            List<Reward> rewards = new ArrayList<>();
            for (String a : aspects) {
                rewards.add(new RewardModelReward(RewardModel.fromPretrained(rewardDirs.get(a), manager), pipe.tokenizer()));
            }
            Scheduler ddpm = Schedulers.byName("ddpm", pipe.scheduler().config());
            double[] margins = new double[aspects.size()];
            double[] weights = new double[aspects.size()];
            Arrays.fill(margins, o.margin());
            Arrays.fill(weights, 1.0);
            List<double[]> trace = new ArrayList<>();
            RewardFeedbackStep.Builder b = RewardFeedbackStep.builder(unet, pipe.vae(), ddpm, rewards)
                    .loss(new MultiRewardLoss(o.rewardScale(), margins, weights))
                    .inferenceSteps(o.inferenceSteps())
                    .lateSteps(o.lateMin(), o.lateMax())
                    .guidanceScale(o.guidance())
                    .listener(f -> trace.add(f.meanRewards()));
            LatentCache cache = null;
            if (o.regularizerWeight() > 0) {
                WorldDataset data = new WorldDataset(o.loop().seed(), WorldSplit.TRAIN, pipe.defaultSize(), null);
                LatentCache c = LatentCache.loadOrBuild(pipe.vae(), basePipeline.resolve("vae"), data, o.regularizerCache(),
                        workDir.resolve("latent-cache.safetensors"), manager);
                cache = c;
                int n = o.loop().batchSize();
                Function<SplittableRandom, DenoisingBatch> real = rng -> {
                    long[] idx = new long[n];
                    List<String> captions = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        idx[i] = rng.nextLong(c.size());
                        WorldExample e = data.example(idx[i]);
                        captions.add(e.caption());
                    }
                    NDArray latents = c.latents(idx, rng, pipe.vae(), manager);
                    return new DenoisingBatch(latents, PromptBatch.encode(
                            (m, p) -> new Conditioning(pipe.encode(m, p), null), manager, captions));
                };
                b.regularizer(real, o.regularizerWeight());
            }
            if (o.anchorWeight() > 0) {
                // the starting UNet (copied before a resumed run loads its checkpoint), frozen, as the
                // anchor of DPOK's KL regulariser
                b.anchor(unet.copy(manager, false), o.anchorWeight());
            }
            RewardFeedbackStep step = b.build();
            EMA ema = new EMA(unet.namedParameters(), EMA.Decay.constant(o.emaDecay()));
            JsonObject cfg = o.toJson();
            cfg.addProperty("base_pipeline", basePipeline.toAbsolutePath().toString());
            aspects.forEach(a -> cfg.addProperty("reward_" + a, rewardDirs.get(a).toAbsolutePath().toString()));
            cfg.addProperty("prompts", prompts.size());
            Trainer.Result run;
            // the rewards log follows the metrics log: a new run starts it afresh; a resumed run replays its steps
            // after the checkpoint exactly, so the steps already logged are not written again
            Path rewardLog = logDir.resolve("rewards.jsonl");
            JsonLines.Contents<JsonObject> logged = resume
                    ? JsonLines.read(rewardLog, j -> j, "a rewards line") : new JsonLines.Contents<>(List.of(), -1);
            if (!resume || logged.lastLineCut()) {
                JsonLines.write(rewardLog, logged.items(), j -> j);
            }
            long lastLogged = logged.items().stream().mapToLong(j -> j.get("step").getAsLong()).max().orElse(0);
            try (LatentCache closing = cache) {
                run = Trainer.builder(unet, step.lossFunction(PromptBatch.sampler(prompts, o.loop().batchSize(),
                                (m, p) -> new Conditioning(pipe.encode(m, p), null), manager, o.guidance() > 1 ? "" : null)))
                        .optimizer(AdamW.builder().weightDecay(o.loop().weightDecay()).noDecay(AdamW.biasesAndNorms())
                                .build(unet.namedParameters()))
                        .loop(o.loop(), logDir, workDir, resume)
                        .clipGradNorm(1.0)
                        .ema(ema)
                        .config(cfg)
                        .listener(m -> {
                            if (m.step() > lastLogged) {
                                logRewards(rewardLog, m.step(), aspects, trace);
                            }
                        })
                        .build()
                        .run();
            }
            ema.swap();
            try {
                writePipeline(basePipeline, unet, outPipeline);
            } finally {
                ema.swap();
            }
            Map<String, Double> first = new LinkedHashMap<>();
            Map<String, Double> last = new LinkedHashMap<>();
            int tenth = Math.max(1, trace.size() / 10);
            for (int a = 0; a < aspects.size(); a++) {
                first.put(aspects.get(a), mean(trace.subList(0, Math.min(tenth, trace.size())), a));
                last.put(aspects.get(a), mean(trace.subList(Math.max(0, trace.size() - tenth), trace.size()), a));
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            LOG.info(String.format(Locale.ROOT, "feedback learning: steps %d..%d in %.0f s; mean rewards %s -> %s; %s",
                    run.startStep(), run.endStep(), seconds, first, last, outPipeline));
            return new Result(outPipeline, run.endStep(), seconds, first, last);
        } catch (IOException e) {
            throw new UncheckedIOException("feedback learning into " + outPipeline + " failed", e);
        }
    }

    /** One line of {@code rewards.jsonl}: the step and each reward's batch mean in its last micro-batch. */
    private static void logRewards(Path log, long step, List<String> aspects, List<double[]> trace) {
        if (trace.isEmpty()) {
            return;
        }
        JsonObject o = new JsonObject();
        o.addProperty("step", step);
        double[] last = trace.get(trace.size() - 1);
        for (int a = 0; a < aspects.size(); a++) {
            o.addProperty(aspects.get(a), last[a]);
        }
        JsonLines.append(log, o + "\n");
    }

    private static double mean(List<double[]> rows, int k) {
        return rows.stream().mapToDouble(r -> r[k]).average().orElse(Double.NaN);
    }

    /**
     * The base pipeline ({@code model_index.json} and the component folders it names) with {@code
     * unet}'s weights (fp16), written beside {@code out} and then moved into place; other files of the
     * base folder (its model card, benchmarks) are not copied.
     */
    static void writePipeline(Path base, UNet2DConditionModel unet, Path out) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "." + out.getFileName() + "-");
        Files.copy(base.resolve("model_index.json"), tmp.resolve("model_index.json"));
        for (String component : JsonFiles.readObject(base.resolve("model_index.json"), "model index").keySet()) {
            if (!component.startsWith("_") && Files.isDirectory(base.resolve(component)) && !component.equals("unet")) {
                copyTree(base.resolve(component), tmp.resolve(component));
            }
        }
        unet.save(tmp.resolve("unet"), Dtype.F16);
        // keep the training logs already in out (feedback/), replace everything that belongs to the pipeline
        AtomicFiles.moveInto(tmp, out);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
