package io.github.t2i4j.star.tokenizer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.t2i4j.core.io.CheckpointException;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.io.StateDict;
import io.github.t2i4j.core.io.TensorSource;
import io.github.t2i4j.core.nn.Conv2d;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.tensor.Scopes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The multi-scale residual VQ tokenizer of VAR and STAR: VAR's {@code VQVAE}
 * (FoundationVision/VAR {@code models/vqvae.py}) with its parameter names ({@code encoder.*},
 * {@code decoder.*}, {@code quant_conv}, {@code post_quant_conv}, {@code quantize.embedding.weight},
 * {@code quantize.quant_resi.qresi_ls.N.*}), so VAR's checkpoints load strictly by name.
 *
 * <p>An image [B, 3, H, W] in [-1, 1] is encoded to f = quant_conv(encoder(image)) [B, Cvae, h, w]
 * (h = H / 2^(levels-1)), quantised over the scale schedule by {@link VectorQuantizer2} into token
 * ids per scale, and decoded from f-hat by decoder(post_quant_conv(f-hat)), clamped to [-1, 1].
 *
 * <h2>Loading VAR's released tokenizer</h2>
 *
 * VAR ships {@code vae_ch160v4096z32.pth}, a PyTorch pickle. Convert it once to safetensors in
 * Python:
 *
 * <pre>{@code
 * python -c "import torch, safetensors.torch as st; st.save_file(torch.load('vae_ch160v4096z32.pth', map_location='cpu'), 'vae.safetensors')"
 * }</pre>
 *
 * then load it with {@code fromCheckpoint(Path.of("vae.safetensors"), VQVAEConfig.var256(),
 * manager)}: ch 160, vocab 4096, z 32, ch_mult (1,1,2,2,4), 2 res blocks, patch nums
 * (1,2,3,4,5,6,8,10,13,16) for 256 px images. The {@code quantize.ema_vocab_hit_SV} buffer in the
 * file is accepted and ignored.
 */
public class MultiScaleVQTokenizer extends Module {
    private static final Logger LOG = LoggerFactory.getLogger(MultiScaleVQTokenizer.class);

    private final VQVAEConfig config;
    private final Encoder encoder;
    private final Decoder decoder;
    private final VectorQuantizer2 quantize;
    private final Conv2d quantConv;
    private final Conv2d postQuantConv;

    public MultiScaleVQTokenizer(VQVAEConfig config) {
        this.config = config;
        encoder = module("encoder", new Encoder(config));
        decoder = module("decoder", new Decoder(config));
        quantize = module("quantize", new VectorQuantizer2(config));
        int ks = config.quantConvKs();
        quantConv = module("quant_conv", new Conv2d(config.zChannels(), config.zChannels(), ks, 1, ks / 2, true));
        postQuantConv =
                module("post_quant_conv", new Conv2d(config.zChannels(), config.zChannels(), ks, 1, ks / 2, true));
    }

    /** The architecture of {@code config}, to initialise at random or to load. */
    public static MultiScaleVQTokenizer fromConfig(VQVAEConfig config) {
        return new MultiScaleVQTokenizer(config);
    }

    /** Loads a safetensors file with VAR's names, strictly, in float32. */
    public static MultiScaleVQTokenizer fromCheckpoint(Path weights, VQVAEConfig config, NDManager manager) {
        return fromCheckpoint(weights, config, manager, DataType.FLOAT32);
    }

    /**
     * Loads a safetensors file with VAR's names strictly (every parameter present with its shape,
     * no unknown tensor) with parameters in {@code type}. A {@code .pth} file is refused with the
     * conversion to run (see the class comment).
     */
    public static MultiScaleVQTokenizer fromCheckpoint(
            Path weights, VQVAEConfig config, NDManager manager, DataType type) {
        String name = weights.getFileName().toString();
        if (name.endsWith(".pth") || name.endsWith(".pt") || name.endsWith(".bin")) {
            throw new CheckpointException(
                    weights + " is a PyTorch pickle; convert it once with: python -c \"import torch,"
                            + " safetensors.torch as st; st.save_file(torch.load('" + name
                            + "', map_location='cpu'), 'vae.safetensors')\"");
        }
        if (!Files.isRegularFile(weights)) {
            throw new CheckpointException("no tokenizer checkpoint at " + weights);
        }
        MultiScaleVQTokenizer t = fromConfig(config);
        try (SafetensorsFile f = SafetensorsFile.open(weights)) {
            t.loadWeights(f, manager, type);
        }
        LOG.debug("loaded MultiScaleVQTokenizer from {} ({} parameters)", weights, t.parameterCount());
        return t;
    }

    /** The weights file of a saved tokenizer folder. */
    public static final String WEIGHTS_FILE = "model.safetensors";

    /**
     * Loads a saved tokenizer folder ({@code config.json} with VAR's keys and {@value
     * #WEIGHTS_FILE}) strictly, in float32.
     */
    public static MultiScaleVQTokenizer fromPretrained(Path dir, NDManager manager) {
        return fromPretrained(dir, null, manager);
    }

    /**
     * As {@link #fromPretrained(Path, NDManager)} with the scale schedule replaced by {@code
     * patchNums} (null keeps the folder's): the weights are convolutional and the codebook is
     * shared by all scales, so one tokenizer serves any schedule (and so any image size that is a
     * multiple of its downsampling factor).
     */
    public static MultiScaleVQTokenizer fromPretrained(Path dir, List<Integer> patchNums, NDManager manager) {
        VQVAEConfig config = VQVAEConfig.fromJson(dir.resolve("config.json"));
        if (patchNums != null) {
            config = config.withPatchNums(patchNums);
        }
        return fromCheckpoint(dir.resolve(WEIGHTS_FILE), config, manager);
    }

    /** Writes {@code config.json} and the weights (floating point stored as {@code type}) into {@code dir}. */
    public void save(Path dir, io.github.t2i4j.core.io.Dtype type) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("config.json"),
                    new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(config.toJson()) + "\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write the tokenizer to " + dir, e);
        }
        StateDict.save(this, dir.resolve(WEIGHTS_FILE), type);
    }

    /** Fills the parameters from VAR-named tensors, strictly. */
    public void loadWeights(TensorSource source, NDManager manager, DataType type) {
        StateDict.loadFresh(this, source, manager, type);
    }

    public VQVAEConfig config() {
        return config;
    }

    public Encoder encoder() {
        return encoder;
    }

    public Decoder decoder() {
        return decoder;
    }

    public VectorQuantizer2 quantize() {
        return quantize;
    }

    public Conv2d quantConv() {
        return quantConv;
    }

    public Conv2d postQuantConv() {
        return postQuantConv;
    }

    /** Switches dropout (if the config has any) on or off. */
    public void setTraining(boolean training) {
        setTraining(this, training);
    }

    private static void setTraining(Module m, boolean training) {
        if (m instanceof ResnetBlock r) {
            r.setTraining(training);
        }
        m.modules().values().forEach(c -> setTraining(c, training));
    }

    /** f = quant_conv(encoder(image)): [B, 3, H, W] in [-1, 1] to [B, Cvae, H/f, W/f]. */
    public NDArray encode(NDArray image) {
        NDArray h = encoder.forward(image);
        return Scopes.step(h, image, quantConv::forward);
    }

    /** Token ids [B, pn*pn] of each scale of the config's schedule, for a latent f. */
    public List<NDArray> idxBl(NDArray f) {
        return quantize.quantize(f, config.vPatchNums()).idxBl();
    }

    /** Ids and f-hat per scale of the config's schedule, for a latent f. */
    public VectorQuantizer2.Quantized quantizeLatent(NDArray f) {
        return quantize.quantize(f, config.vPatchNums());
    }

    /** Ids and f-hat per scale of another schedule (its last entry must be f's side). */
    public VectorQuantizer2.Quantized quantizeLatent(NDArray f, List<Integer> patchNums) {
        return quantize.quantize(f, patchNums);
    }

    /** The cumulative f-hat after each scale (VAR's {@code f_to_idxBl_or_fhat(to_fhat=True)}). */
    public List<NDArray> fhats(NDArray f) {
        return quantize.quantize(f, config.vPatchNums()).fhats();
    }

    /** VAR's {@code img_to_idxBl}: image to token ids per scale. */
    public List<NDArray> imgToIdxBl(NDArray image) {
        return idxBl(encode(image));
    }

    /** VAR's {@code idxBl_to_var_input}: the teacher-forcing input [B, L - pn_1^2, Cvae]. */
    public NDArray idxBlToVarInput(List<NDArray> idxBl) {
        return quantize.idxBlToVarInput(idxBl, config.vPatchNums());
    }

    /** As {@link #idxBlToVarInput(List)} for another schedule. */
    public NDArray idxBlToVarInput(List<NDArray> idxBl, List<Integer> patchNums) {
        return quantize.idxBlToVarInput(idxBl, patchNums);
    }

    /** VAR's {@code get_next_autoregressive_input} over the config's schedule. */
    public VectorQuantizer2.NextInput getNextAutoregressiveInput(int si, int sn, NDArray fhat, NDArray hBChw) {
        return quantize.getNextAutoregressiveInput(si, sn, fhat, hBChw, config.vPatchNums());
    }

    /** As {@link #getNextAutoregressiveInput(int, int, NDArray, NDArray)} for another schedule. */
    public VectorQuantizer2.NextInput getNextAutoregressiveInput(
            int si, int sn, NDArray fhat, NDArray hBChw, List<Integer> patchNums) {
        return quantize.getNextAutoregressiveInput(si, sn, fhat, hBChw, patchNums);
    }

    /** The code map [B, Cvae, pn, pn] of ids [B, pn*pn]. */
    public NDArray idsToCodeMap(NDArray idx) {
        long l = idx.getShape().get(1);
        int pn = (int) Math.round(Math.sqrt(l));
        if ((long) pn * pn != l) {
            throw new IllegalArgumentException("ids of " + l + " tokens are not a square map");
        }
        return quantize.codeMap(idx, pn);
    }

    /** VAR's {@code fhat_to_img}: decoder(post_quant_conv(f-hat)) clamped to [-1, 1]. */
    public NDArray fhatToImg(NDArray fhat) {
        NDArray h = Scopes.step(fhat, fhat, postQuantConv::forward);
        NDArray img = decoder.forward(h);
        h.close();
        NDArray out = img.clip(-1f, 1f);
        img.close();
        return out;
    }

    /** The decoder without clamping (for training), from f-hat. */
    public NDArray decodeUnclamped(NDArray fhat) {
        NDArray h = Scopes.step(fhat, fhat, postQuantConv::forward);
        NDArray img = decoder.forward(h);
        h.close();
        return img;
    }

    /** Decodes f-hat: {@link #fhatToImg}. */
    public NDArray decode(NDArray fhat) {
        return fhatToImg(fhat);
    }

    /** VAR's {@code idxBl_to_img(ids, same_shape=True, last_one=True)}: ids of every scale to the image. */
    public NDArray idxBlToImg(List<NDArray> idxBl) {
        return idxBlToImg(idxBl, true).get(0);
    }

    /**
     * VAR's {@code idxBl_to_img(ids, same_shape=True, last_one)}: the image of the final f-hat
     * ({@code lastOne}), or of the f-hat after each scale.
     */
    public List<NDArray> idxBlToImg(List<NDArray> idxBl, boolean lastOne) {
        List<NDArray> maps = new ArrayList<>(idxBl.size());
        for (NDArray idx : idxBl) {
            maps.add(idsToCodeMap(idx));
        }
        List<NDArray> fhats = quantize.embedToFhat(maps, lastOne);
        maps.forEach(NDArray::close);
        List<NDArray> out = new ArrayList<>(fhats.size());
        for (NDArray fhat : fhats) {
            out.add(fhatToImg(fhat));
            fhat.close();
        }
        return out;
    }

    /** What {@link #forward(NDArray)} returns: the unclamped reconstruction and the quantiser's output. */
    public record TrainingOutput(NDArray reconstruction, VectorQuantizer2.VQOutput vq) {}

    /**
     * VAR's training {@code forward}: f = quant_conv(encoder(image)), residual quantisation with the
     * VQ loss and the straight-through f-hat, decoder(post_quant_conv(f-hat)) (not clamped). Run it
     * inside a gradient collector; see {@link VQTokenizerTraining} for the losses and codebook upkeep.
     */
    public TrainingOutput forward(NDArray image) {
        NDArray f = quantConv.forward(encoder.forward(image));
        int side = (int) f.getShape().get(2);
        if (side != config.latentSize()) {
            throw new IllegalArgumentException(
                    "a " + image.getShape() + " image gives a " + side + "x" + side
                            + " latent; the scale schedule " + config.vPatchNums() + " needs "
                            + config.latentSize() + " (images of " + config.imageSize() + " px)");
        }
        VectorQuantizer2.VQOutput vq = quantize.forward(f, config.vPatchNums());
        return new TrainingOutput(decoder.forward(postQuantConv.forward(vq.fhat())), vq);
    }

    /** VAR's {@code img_to_reconstructed_img(last_one=True)}: encode, quantise, decode. */
    public NDArray reconstruct(NDArray image) {
        NDArray f = encode(image);
        VectorQuantizer2.Quantized q = quantizeLatent(f);
        NDArray img = fhatToImg(q.fhats().get(q.fhats().size() - 1));
        return img;
    }
}
