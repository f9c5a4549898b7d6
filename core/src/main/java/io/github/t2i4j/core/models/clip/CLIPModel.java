package io.github.t2i4j.core.models.clip;

import io.github.t2i4j.core.tensor.Scalars;
import io.github.t2i4j.core.tensor.HostArrays;
import io.github.t2i4j.core.io.ModelFolder;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.io.StateDict;
import io.github.t2i4j.core.nn.Linear;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.text.CLIPTextModelOutput;
import io.github.t2i4j.core.text.BaseModelOutputWithPooling;
import io.github.t2i4j.core.text.CLIPTextTransformer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * transformers' {@code CLIPModel}: a text tower and a vision tower, each with a bias-free
 * projection into a joint space, and the learned temperature {@code logit_scale}. Parameter names
 * are the checkpoint's: {@code text_model.*}, {@code vision_model.*}, {@code text_projection.weight},
 * {@code visual_projection.weight}, {@code logit_scale} (a scalar, initialised to ln(1 / 0.07)).
 *
 * <p>Images enter {@link #encodeImage} in [-1, 1] and are turned into pixel values by the model's
 * {@link CLIPImageProcessor} (from {@code preprocessor_config.json}; t2i4j's world CLIP uses the
 * images as they are, a real OpenAI checkpoint its mean/std). {@link #getImageFeatures} takes pixel
 * values directly, as transformers' method does.
 *
 * <p>Trainable with DJL autograd: every parameter is created with gradients required, and all
 * results of a call live on its inputs' manager.
 */
public class CLIPModel extends Module {
    private static final Logger LOG = LoggerFactory.getLogger(CLIPModel.class);

    /** CLIP's cap on {@code logit_scale}: ln(100), so logits are scaled by at most 100. */
    public static final float MAX_LOGIT_SCALE = (float) Math.log(100.0);

    private final CLIPConfig config;
    private final Parameter logitScale;
    private final CLIPTextTransformer textModel;
    private final CLIPVisionTransformer visionModel;
    private final Linear visualProjection;
    private final Linear textProjection;
    private CLIPImageProcessor imageProcessor;

    /** A model taking images in [-1, 1] as they are ({@link CLIPImageProcessor#world()}). */
    public CLIPModel(CLIPConfig config) {
        this(config, CLIPImageProcessor.world());
    }

    public CLIPModel(CLIPConfig config, CLIPImageProcessor imageProcessor) {
        this.config = config;
        this.imageProcessor = imageProcessor;
        float init = config.logitScaleInitValue();
        this.logitScale =
                param("logit_scale", Parameter.Type.WEIGHT, (m, shape, type) -> m.full(shape, init, type));
        this.textModel = module("text_model", new CLIPTextTransformer(config.textConfig()));
        this.visionModel = module("vision_model", new CLIPVisionTransformer(config.visionConfig()));
        this.visualProjection = module(
                "visual_projection",
                new Linear(config.visionConfig().hiddenSize(), config.projectionDim(), false));
        this.textProjection = module(
                "text_projection", new Linear(config.textConfig().hiddenSize(), config.projectionDim(), false));
    }

    /** Loads a CLIPModel folder in float32; see {@link #fromPretrained(Path, NDManager, DataType)}. */
    public static CLIPModel fromPretrained(Path dir, NDManager manager) {
        return fromPretrained(dir, manager, DataType.FLOAT32);
    }

    /**
     * Loads a CLIPModel folder strictly: {@code config.json} (a CLIPConfig), {@code
     * model.safetensors} (every parameter present, every tensor used) and, when present, {@code
     * preprocessor_config.json} (else the world normalisation: images in [-1, 1] as they are).
     */
    public static CLIPModel fromPretrained(Path dir, NDManager manager, DataType type) {
        String what = "CLIP model";
        CLIPConfig config = CLIPConfig.fromJson(ModelFolder.configFile(dir, what));
        Path pre = dir.resolve(CLIPImageProcessor.FILE);
        CLIPImageProcessor processor;
        if (Files.isRegularFile(pre)) {
            processor = CLIPImageProcessor.fromJson(pre);
        } else {
            processor = CLIPImageProcessor.world();
            LOG.info("{}: no {}; images in [-1, 1] are used as pixel values", dir, CLIPImageProcessor.FILE);
        }
        CLIPModel model = new CLIPModel(config, processor);
        ModelFolder.load(model, dir, what, manager, type, Set.of());
        return model;
    }

    /**
     * Writes the folder {@link #fromPretrained} reads (and transformers' {@code
     * CLIPModel.from_pretrained} too): {@code config.json}, {@code model.safetensors} with every
     * parameter in its own type, and {@code preprocessor_config.json}.
     */
    public void save(Path dir) {
        save(dir, null);
    }

    /**
     * As {@link #save(Path)}, storing floating-point parameters as {@code floatType} (e.g. F16 for
     * shipped checkpoints; null keeps each parameter's own type).
     */
    public void save(Path dir, io.github.t2i4j.core.io.Dtype floatType) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        config.save(dir);
        imageProcessor.save(dir);
        if (floatType == null) {
            StateDict.save(this, dir.resolve(ModelFolder.TRANSFORMERS_WEIGHTS));
        } else {
            StateDict.save(this, dir.resolve(ModelFolder.TRANSFORMERS_WEIGHTS), floatType);
        }
    }

    // ---- features

    /** transformers' {@code get_text_features}: the projected pooled text output, not normalised. */
    public NDArray getTextFeatures(NDArray inputIds, NDArray attentionMask) {
        return textProjection.forward(textModel.forward(inputIds, attentionMask).poolerOutput());
    }

    /** transformers' {@code get_image_features}: the projected pooled image output of pixel values, not normalised. */
    public NDArray getImageFeatures(NDArray pixelValues) {
        return visualProjection.forward(visionModel.forward(pixelValues).poolerOutput());
    }

    /** Unit-length text embeddings [B, projection_dim] of token ids [B, L] (causal mask only). */
    public NDArray encodeText(NDArray inputIds) {
        return encodeText(inputIds, null);
    }

    /** Unit-length text embeddings of token ids [B, L]; {@code attentionMask} [B, L] may be null. */
    public NDArray encodeText(NDArray inputIds, NDArray attentionMask) {
        return normalize(getTextFeatures(inputIds, attentionMask));
    }

    /**
     * The unit-length text embeddings of a text tower output already computed (for a loss that
     * also reads its sequence): {@link #encodeText} without running the tower again.
     */
    public NDArray encodeText(BaseModelOutputWithPooling textOutput) {
        return normalize(textProjection.forward(textOutput.poolerOutput()));
    }

    /** Unit-length image embeddings [B, projection_dim] of images [B, C, H, W] in [-1, 1]. */
    public NDArray encodeImage(NDArray images) {
        return normalize(getImageFeatures(imageProcessor.preprocess(images)));
    }

    /** x / ||x|| along the last axis. */
    public static NDArray normalize(NDArray x) {
        return x.div(x.square().sum(new int[] {-1}, true).sqrt());
    }

    // ---- similarity and loss

    /**
     * {@code exp(min(logit_scale, ln 100))}, a scalar on {@code manager}: the factor applied to
     * cosine similarities. CLIP keeps the scale at most 100; clamping here has the same effect
     * (above the cap the factor stays 100 and {@code logit_scale} gets no gradient). Real
     * checkpoints lie within the cap, where this equals transformers' unclamped {@code exp}.
     */
    public NDArray logitScaleExp(NDManager manager) {
        NDArray cap = HostArrays.owned(manager.create(MAX_LOGIT_SCALE));
        NDArray scale = v(logitScale);
        cap = cap.toDevice(scale.getDevice(), false).toType(scale.getDataType(), false);
        return cap.minimum(scale).exp();
    }

    /** [texts, images] logits: {@link #logitScaleExp} times the cosine similarities of unit-length embeddings. */
    public NDArray logitsPerText(NDArray textEmbeds, NDArray imageEmbeds) {
        return textEmbeds.matMul(imageEmbeds.transpose()).mul(logitScaleExp(textEmbeds.getManager()));
    }

    /**
     * CLIP's symmetric InfoNCE loss of matching pairs (row i of each is a pair): the mean of the
     * cross-entropy of each text against all images and of each image against all texts, with the
     * logits of {@link #logitsPerText}. Takes the unit-length embeddings {@link #encodeText} and
     * {@link #encodeImage} return. Returns a scalar on the texts' manager.
     */
    public NDArray contrastiveLoss(NDArray textEmbeds, NDArray imageEmbeds) {
        Shape t = textEmbeds.getShape();
        if (t.dimension() != 2 || !t.equals(imageEmbeds.getShape())) {
            throw new IllegalArgumentException(
                    "contrastive loss needs text and image embeddings of the same shape [batch, dim], got " + t
                            + " and " + imageEmbeds.getShape());
        }
        return clipLoss(logitsPerText(textEmbeds, imageEmbeds));
    }

    /**
     * The contrastive loss with one hard-negative caption per pair (NegCLIP): each image is matched
     * against its own caption among all {@code 2B} captions (the batch's and the negatives), each
     * caption against its own image among the batch's images, and the two cross-entropies averaged.
     * All three are unit-length embeddings [B, dim] of one shape.
     */
    public NDArray contrastiveLoss(NDArray textEmbeds, NDArray imageEmbeds, NDArray negativeTextEmbeds) {
        Shape t = textEmbeds.getShape();
        if (t.dimension() != 2 || !t.equals(imageEmbeds.getShape()) || !t.equals(negativeTextEmbeds.getShape())) {
            throw new IllegalArgumentException("contrastive loss needs text, image and negative text embeddings of one"
                    + " shape [batch, dim], got " + t + ", " + imageEmbeds.getShape() + " and " + negativeTextEmbeds.getShape());
        }
        NDArray scale = logitScaleExp(textEmbeds.getManager());
        NDArray imageToText = imageEmbeds.matMul(textEmbeds.concat(negativeTextEmbeds, 0).transpose()).mul(scale);
        NDArray i2t = diagonalLogLikelihood(imageToText);
        NDArray t2i = diagonalLogLikelihood(logitsPerText(textEmbeds, imageEmbeds));
        return Scalars.div(i2t.add(t2i), -2.0f * t.get(0));
    }

    /**
     * transformers' {@code clip_loss} of square logits [N, N] whose diagonal holds the matching
     * pairs: (CE over rows + CE over columns) / 2, each CE the mean of -log softmax at the diagonal.
     */
    public static NDArray clipLoss(NDArray logits) {
        Shape s = logits.getShape();
        if (s.dimension() != 2 || s.get(0) != s.get(1)) {
            throw new IllegalArgumentException("clip loss needs square logits [n, n], got " + s);
        }
        NDArray rows = diagonalLogLikelihood(logits);
        NDArray cols = diagonalLogLikelihood(logits.transpose());
        return Scalars.div(rows.add(cols), -2.0f * s.get(0));
    }

    /**
     * The summed log-softmax (over each row) of row {@code i}'s entry {@code i}, for logits [n, m]
     * with {@code m >= n}: minus the summed cross-entropy of rows whose targets lie on the diagonal.
     */
    private static NDArray diagonalLogLikelihood(NDArray logits) {
        int n = (int) logits.getShape().get(0);
        int m = (int) logits.getShape().get(1);
        NDArray eye = logits.getManager().eye(n, m, 0, logits.getDataType()).toDevice(logits.getDevice(), false);
        return logits.logSoftmax(1).mul(eye).sum();
    }

    /**
     * transformers' {@code CLIPModel.forward}: both towers, unit-length embeddings, the logits
     * both ways and, with {@code returnLoss}, the contrastive loss.
     *
     * @param inputIds [B, L] token ids
     * @param attentionMask [B, L] or null
     * @param images [B', C, H, W] in [-1, 1] (passed through the image processor)
     */
    public CLIPOutput forward(NDArray inputIds, NDArray attentionMask, NDArray images, boolean returnLoss) {
        CLIPVisionModelOutput vision = visionModel.forward(imageProcessor.preprocess(images));
        CLIPTextModelOutput text = textModel.forward(inputIds, attentionMask);
        NDArray imageEmbeds = normalize(visualProjection.forward(vision.poolerOutput()));
        NDArray textEmbeds = normalize(textProjection.forward(text.poolerOutput()));
        NDArray logitsPerText = logitsPerText(textEmbeds, imageEmbeds);
        NDArray loss = returnLoss ? clipLoss(logitsPerText) : null;
        return new CLIPOutput(loss, logitsPerText.transpose(), logitsPerText, textEmbeds, imageEmbeds, text, vision);
    }

    // ---- accessors

    public CLIPConfig config() {
        return config;
    }

    /** The {@code logit_scale} parameter's array (a scalar). */
    public NDArray logitScale() {
        return v(logitScale);
    }

    public CLIPTextTransformer textModel() {
        return textModel;
    }

    public CLIPVisionTransformer visionModel() {
        return visionModel;
    }

    public Linear textProjection() {
        return textProjection;
    }

    public Linear visualProjection() {
        return visualProjection;
    }

    public CLIPImageProcessor imageProcessor() {
        return imageProcessor;
    }

    /** Replaces the image normalisation (e.g. {@link CLIPImageProcessor#openai()}); saved with the model. */
    public void setImageProcessor(CLIPImageProcessor imageProcessor) {
        this.imageProcessor = java.util.Objects.requireNonNull(imageProcessor);
    }
}
