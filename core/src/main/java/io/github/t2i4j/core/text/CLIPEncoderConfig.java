package io.github.t2i4j.core.text;

import java.util.Set;

/**
 * What the shared CLIP transformer layers ({@link CLIPEncoder}, {@link CLIPEncoderLayer}, {@link
 * CLIPAttention}, {@link CLIPMLP}) need from a config. transformers builds these layers from
 * either a {@code CLIPTextConfig} or a {@code CLIPVisionConfig}; both records implement this, so
 * the text and vision towers run the same layer code.
 */
public interface CLIPEncoderConfig {

    /** Activation names the MLP accepts (those {@code Activations.apply} implements). */
    Set<String> ACTIVATIONS =
            Set.of("quick_gelu", "gelu", "gelu_new", "gelu_pytorch_tanh", "gelu_tanh", "silu", "swish", "relu");

    /** Width of the transformer. */
    int hiddenSize();

    /** Width of the MLP's hidden layer. */
    int intermediateSize();

    /** Number of encoder layers. */
    int numHiddenLayers();

    /** Attention heads per layer. */
    int numAttentionHeads();

    /** The MLP activation, one of {@link #ACTIVATIONS}. */
    String hiddenAct();

    /** Epsilon of every layer norm. */
    float layerNormEps();

    /** Size of one attention head. */
    default int headDim() {
        return hiddenSize() / numAttentionHeads();
    }
}
