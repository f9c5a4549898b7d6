package io.github.t2i4j.core.pipelines;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.text.CLIPTextModel;
import io.github.t2i4j.core.text.CLIPTextModelOutput;
import io.github.t2i4j.core.text.CLIPTextModelWithProjection;

/**
 * A CLIP text encoder as a pipeline sees it: token ids in, hidden states (and, with a projection,
 * pooled text embeddings) out. Wraps either transformers class a diffusers folder may hold.
 */
public interface TextEncoder {

    CLIPTextModelOutput encode(NDArray inputIds);

    /** The underlying model. */
    Module model();

    /** Whether {@link CLIPTextModelOutput#textEmbeds()} is available. */
    boolean hasProjection();

    static TextEncoder of(CLIPTextModel m) {
        return new TextEncoder() {
            @Override
            public CLIPTextModelOutput encode(NDArray inputIds) {
                return m.forward(inputIds);
            }

            @Override
            public Module model() {
                return m;
            }

            @Override
            public boolean hasProjection() {
                return false;
            }
        };
    }

    static TextEncoder of(CLIPTextModelWithProjection m) {
        return new TextEncoder() {
            @Override
            public CLIPTextModelOutput encode(NDArray inputIds) {
                return m.forward(inputIds);
            }

            @Override
            public Module model() {
                return m;
            }

            @Override
            public boolean hasProjection() {
                return true;
            }
        };
    }
}
