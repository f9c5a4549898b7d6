package io.github.t2i4j.core.golden;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.io.StateDict;
import io.github.t2i4j.core.models.unet.AddedCond;
import io.github.t2i4j.core.models.unet.UNet2DConditionConfig;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.models.vae.AutoencoderKL;
import io.github.t2i4j.core.models.vae.AutoencoderKLConfig;
import io.github.t2i4j.core.models.vae.DiagonalGaussianDistribution;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.schedulers.Scheduler;
import io.github.t2i4j.core.schedulers.SchedulerConfig;
import io.github.t2i4j.core.schedulers.Schedulers;
import io.github.t2i4j.core.text.CLIPTextConfig;
import io.github.t2i4j.core.text.CLIPTextModelOutput;
import io.github.t2i4j.core.text.CLIPTextModelWithProjection;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the golden reference cases (outputs of diffusers and transformers on tiny random
 * configurations, see {@code core/src/test/golden/README.md}) through t2i4j's public API and
 * reports the error of every output. Matching them is how we know a real checkpoint of the same
 * architecture loads and runs correctly; the {@code selfcheck} command prints this table.
 */
public final class GoldenCases {
    /** Tolerance for network outputs (max absolute error; outputs are of order 1). */
    public static final double NETWORK_TOLERANCE = 1e-4;

    private GoldenCases() {}

    /**
     * One compared output.
     *
     * @param error max absolute error, or for scheduler trajectories max error / max |reference|
     * @param relative whether {@code error} is relative
     */
    public record Comparison(String goldenCase, String output, double error, double tolerance, boolean relative) {
        public boolean passed() {
            return error <= tolerance;
        }
    }

    /** Every network case found under {@code root}. */
    public static List<Comparison> networks(Path root) {
        List<Comparison> out = new ArrayList<>();
        out.addAll(unet(root, "unet_sd"));
        out.addAll(unet(root, "unet_sdxl"));
        out.addAll(vae(root));
        out.addAll(clip(root, "clip_text_quickgelu"));
        out.addAll(clip(root, "clip_text_gelu"));
        return out;
    }

    /** Tolerance for scheduler outputs: max error over the reference's largest magnitude. */
    public static final double SCHEDULER_TOLERANCE = 1e-6;

    /**
     * {@code schedulers}: 10-step trajectories of DDIM, Euler and DPM-Solver++ 2M (model output at
     * step i = eps[i] + 0.1 * scale_model_input(x, t), from x_start * init_noise_sigma) and DDPM's
     * add_noise, each as max error / max |reference|.
     */
    public static List<Comparison> schedulers(Path root) {
        Path dir = root.resolve("schedulers");
        List<Comparison> out = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager();
                SafetensorsFile io = SafetensorsFile.open(dir.resolve("io.safetensors"))) {
            String[][] cases = {
                {"ddim", "DDIMScheduler"}, {"euler", "EulerDiscreteScheduler"}, {"dpmpp_2m", "DPMSolverMultistepScheduler"}
            };
            for (String[] c : cases) {
                // the golden configs carry no _class_name
                Scheduler s = Schedulers.fromConfig(SchedulerConfig.fromJson(dir.resolve(c[0] + ".json")).forClass(c[1]));
                s.setTimesteps(10);
                NDArray eps = io.load("eps", m);
                NDArray expected = io.load(c[0] + ".trajectory", m);
                NDArray x = io.load("x_start", m).mul(s.initNoiseSigma());
                float[] ts = s.timesteps();
                NDArray trajectory = x.zerosLike().expandDims(0).repeat(0, ts.length);
                for (int i = 0; i < ts.length; i++) {
                    NDArray modelOutput = eps.get(i).add(s.scaleModelInput(x, ts[i]).mul(0.1f));
                    x = s.step(modelOutput, ts[i], x);
                    trajectory.set(new ai.djl.ndarray.index.NDIndex(i), x);
                }
                out.add(relative("schedulers", c[0] + ".trajectory", expected, trajectory));
            }
            SchedulerConfig ddpm = SchedulerConfig.fromJson(dir.resolve("ddim.json")).forClass("DDPMScheduler");
            NDArray noisy = Schedulers.fromConfig(ddpm)
                    .addNoise(io.load("add_noise.clean", m), io.load("add_noise.noise", m), io.load("add_noise.t", m));
            out.add(relative("schedulers", "add_noise.out", io.load("add_noise.out", m), noisy));
        }
        return out;
    }

    private static Comparison relative(String goldenCase, String output, NDArray expected, NDArray actual) {
        Comparison abs = compare(goldenCase, output, expected, actual);
        double mag = expected.abs().max().getFloat();
        return new Comparison(goldenCase, output, abs.error() / mag, SCHEDULER_TOLERANCE, true);
    }

    /** {@code unet_sd} or {@code unet_sdxl}: the predicted noise. */
    public static List<Comparison> unet(Path root, String name) {
        Path dir = root.resolve(name);
        try (NDManager m = NDManager.newBaseManager();
                SafetensorsFile io = SafetensorsFile.open(dir.resolve("io.safetensors"))) {
            UNet2DConditionModel unet = new UNet2DConditionModel(UNet2DConditionConfig.fromJson(dir.resolve("config.json")));
            load(unet, dir, m);
            AddedCond added =
                    io.names().contains("text_embeds")
                            ? new AddedCond(f32(io, "text_embeds", m), f32(io, "time_ids", m))
                            : null;
            NDArray out =
                    unet.forward(f32(io, "sample", m), f32(io, "timestep", m), f32(io, "encoder_hidden_states", m), added);
            return List.of(compare(name, "out", f32(io, "out", m), out));
        }
    }

    /** {@code vae}: encoder mean and log-variance, decoder output. */
    public static List<Comparison> vae(Path root) {
        Path dir = root.resolve("vae");
        try (NDManager m = NDManager.newBaseManager();
                SafetensorsFile io = SafetensorsFile.open(dir.resolve("io.safetensors"))) {
            AutoencoderKL vae = new AutoencoderKL(AutoencoderKLConfig.fromJson(dir.resolve("config.json")));
            load(vae, dir, m);
            DiagonalGaussianDistribution posterior = vae.encode(f32(io, "image", m));
            NDArray decoded = vae.decode(f32(io, "z", m));
            return List.of(
                    compare("vae", "latent_mean", f32(io, "latent_mean", m), posterior.mean()),
                    compare("vae", "latent_logvar", f32(io, "latent_logvar", m), posterior.logvar()),
                    compare("vae", "decoded", f32(io, "decoded", m), decoded));
        }
    }

    /** A CLIP text encoder case: hidden states, pooled output, projected embeddings. */
    public static List<Comparison> clip(Path root, String name) {
        Path dir = root.resolve(name);
        try (NDManager m = NDManager.newBaseManager();
                SafetensorsFile io = SafetensorsFile.open(dir.resolve("io.safetensors"))) {
            CLIPTextModelWithProjection clip =
                    new CLIPTextModelWithProjection(CLIPTextConfig.fromJson(dir.resolve("config.json")));
            load(clip, dir, m);
            CLIPTextModelOutput o = clip.forward(io.load("input_ids", m));
            return List.of(
                    compare(name, "last_hidden_state", f32(io, "last_hidden_state", m), o.lastHiddenState()),
                    compare(name, "penultimate_hidden_state", f32(io, "penultimate_hidden_state", m), o.penultimateHiddenState()),
                    compare(name, "pooler_output", f32(io, "pooler_output", m), o.poolerOutput()),
                    compare(name, "text_embeds", f32(io, "text_embeds", m), o.textEmbeds()));
        }
    }

    private static void load(Module model, Path dir, NDManager m) {
        try (SafetensorsFile weights = SafetensorsFile.open(dir.resolve("weights.safetensors"))) {
            StateDict.loadFresh(model, weights, m, DataType.FLOAT32);
        }
    }

    static NDArray f32(SafetensorsFile io, String name, NDManager m) {
        return io.load(name, m, DataType.FLOAT32);
    }

    static Comparison compare(String goldenCase, String output, NDArray expected, NDArray actual) {
        if (!expected.getShape().equals(actual.getShape())) {
            throw new IllegalStateException(
                    goldenCase + "/" + output + ": shape " + actual.getShape() + ", expected " + expected.getShape());
        }
        double err = expected.toType(DataType.FLOAT64, false)
                .sub(actual.toType(DataType.FLOAT64, false))
                .abs()
                .max()
                .getDouble();
        return new Comparison(goldenCase, output, err, NETWORK_TOLERANCE, false);
    }
}
