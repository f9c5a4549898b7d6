package io.github.t2i4j.star.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.text.BatchEncoding;
import io.github.t2i4j.core.text.CLIPTextModel;
import io.github.t2i4j.core.text.CLIPTextModelOutput;
import io.github.t2i4j.core.text.CLIPTokenizer;
import java.nio.file.Path;
import java.util.List;

/**
 * The frozen CLIP text tower STAR is conditioned on, as training and sampling both use it: each
 * prompt becomes BOS, its tokens, EOS and padding ({@link CLIPTokenizer}); the encoder runs with its
 * causal mask only (as Stable Diffusion runs it); the {@link TextCondition} holds the last hidden
 * state (cross-attention), the tokenizer's attention mask as the key padding mask, and the pooled
 * output (the hidden state at EOS) for the start tokens. The empty prompt "" is the unconditional
 * input. Closing it closes the tokenizer, not the model.
 */
public final class StarTextEncoder implements AutoCloseable {
    private final CLIPTextModel model;
    private final CLIPTokenizer tokenizer;

    /** Wraps a text model and its tokenizer; the model's parameters are frozen. */
    public StarTextEncoder(CLIPTextModel model, CLIPTokenizer tokenizer) {
        for (Parameter p : model.namedParameters().values()) {
            p.freeze(true);
        }
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /**
     * Loads a {@code CLIPTextModel} folder and a tokenizer folder; the tokenizer pads to the
     * encoder's {@code max_position_embeddings}.
     */
    public static StarTextEncoder fromPretrained(Path textEncoderDir, Path tokenizerDir, NDManager manager) {
        CLIPTextModel model = CLIPTextModel.fromPretrained(textEncoderDir, manager);
        return new StarTextEncoder(
                model, CLIPTokenizer.fromPretrained(tokenizerDir, model.config().maxPositionEmbeddings()));
    }

    /** The width of the features (the transformer's {@code in_dim_cross}). */
    public int hiddenSize() {
        return model.config().hiddenSize();
    }

    public CLIPTextModel model() {
        return model;
    }

    /** The conditioning of {@code prompts} on {@code manager}: [B, T, D], keep mask [B, T], pooled [B, D]. */
    public TextCondition encode(List<String> prompts, NDManager manager) {
        BatchEncoding enc = tokenizer.encode(prompts);
        NDArray ids = enc.inputIds(manager);
        CLIPTextModelOutput out = model.forward(ids);
        ids.close();
        return new TextCondition(out.lastHiddenState(), enc.attentionMask(manager), out.poolerOutput());
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
