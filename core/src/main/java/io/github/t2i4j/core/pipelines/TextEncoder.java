package io.github.t2i4j.core.pipelines;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.text.CLIPTextConfig;
import io.github.t2i4j.core.text.CLIPTextModel;
import io.github.t2i4j.core.text.CLIPTextModelOutput;
import io.github.t2i4j.core.text.CLIPTextModelWithProjection;
import java.util.function.Function;

/**
 * A CLIP text encoder as a pipeline sees it: token ids in, hidden states (and, with a projection,
 * pooled text embeddings) out. Wraps either transformers class a diffusers folder may hold.
 *
 * @param model the underlying model
 * @param forward its forward pass
 * @param hasProjection whether {@link CLIPTextModelOutput#textEmbeds()} is available
 * @param config the encoder's configuration
 */
public record TextEncoder(
        Module model, Function<NDArray, CLIPTextModelOutput> forward, boolean hasProjection, CLIPTextConfig config) {

    public CLIPTextModelOutput encode(NDArray inputIds) {
        return forward.apply(inputIds);
    }

    public static TextEncoder of(CLIPTextModel m) {
        return new TextEncoder(m, m::forward, false, m.config());
    }

    public static TextEncoder of(CLIPTextModelWithProjection m) {
        return new TextEncoder(m, m::forward, true, m.config());
    }
}
