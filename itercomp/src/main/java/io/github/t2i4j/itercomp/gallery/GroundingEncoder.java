package io.github.t2i4j.itercomp.gallery;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.pipelines.TextEncoder;
import io.github.t2i4j.core.tensor.HostArrays;
import io.github.t2i4j.core.tensor.NoGrad;
import io.github.t2i4j.core.text.CLIPTokenizer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a batch of {@link Layout}s into a {@link GroundingInput}, as diffusers' GLIGEN pipeline
 * does: each phrase is encoded by the frozen text encoder, whose pooled output (the EOS token's
 * final state) is its embedding; layouts are padded to {@code maxObjects} slots with mask 0.
 *
 * <p>Phrase embeddings are cached by phrase (a world has a few hundred phrases) and each phrase is
 * encoded on its own, so its embedding does not depend on which batch first asked for it: a
 * resumed training run sees bit-identical inputs.
 */
public final class GroundingEncoder {
    private final CLIPTokenizer tokenizer;
    private final TextEncoder textEncoder;
    private final int maxObjects;
    private final Map<String, float[]> cache = new HashMap<>();

    /**
     * @param tokenizer the text encoder's tokenizer (not closed here)
     * @param textEncoder the frozen text encoder
     * @param maxObjects grounding slots per image (diffusers' pipeline: 30; the world needs 3)
     */
    public GroundingEncoder(CLIPTokenizer tokenizer, TextEncoder textEncoder, int maxObjects) {
        if (maxObjects < 1) {
            throw new IllegalArgumentException("maxObjects must be positive: " + maxObjects);
        }
        this.tokenizer = tokenizer;
        this.textEncoder = textEncoder;
        this.maxObjects = maxObjects;
    }

    /** Grounding slots per image. */
    public int maxObjects() {
        return maxObjects;
    }

    /** Width of a phrase embedding: the text encoder's hidden size. */
    public int embeddingDim() {
        return textEncoder.config().hiddenSize();
    }

    /** The grounding input of {@code layouts} on {@code manager}. */
    public GroundingInput encode(List<Layout> layouts, NDManager manager) {
        int b = layouts.size();
        int d = embeddingDim();
        float[] boxes = new float[b * maxObjects * 4];
        float[] masks = new float[b * maxObjects];
        float[] phrases = new float[b * maxObjects * d];
        for (int i = 0; i < b; i++) {
            Layout layout = layouts.get(i);
            if (layout.size() > maxObjects) {
                throw new IllegalArgumentException("layout " + i + " has " + layout.size() + " objects; this model takes at most "
                        + maxObjects);
            }
            for (int j = 0; j < layout.size(); j++) {
                GroundedObject o = layout.objects().get(j);
                int slot = i * maxObjects + j;
                System.arraycopy(o.box(), 0, boxes, slot * 4, 4);
                masks[slot] = 1;
                System.arraycopy(embedding(o.phrase(), manager), 0, phrases, slot * d, d);
            }
        }
        return new GroundingInput(
                HostArrays.owned(manager.create(boxes, new Shape(b, maxObjects, 4))),
                HostArrays.owned(manager.create(masks, new Shape(b, maxObjects))),
                HostArrays.owned(manager.create(phrases, new Shape(b, maxObjects, d))));
    }

    /** The pooled text embedding of one phrase. */
    public float[] embedding(String phrase, NDManager manager) {
        float[] e = cache.get(phrase);
        if (e == null) {
            e = NoGrad.run(() -> {
                try (NDManager m = manager.newSubManager()) {
                    NDArray ids = tokenizer.encode(List.of(phrase)).inputIds(m);
                    return textEncoder.encode(ids).poolerOutput().toFloatArray();
                }
            });
            cache.put(phrase, e);
        }
        return e;
    }
}
