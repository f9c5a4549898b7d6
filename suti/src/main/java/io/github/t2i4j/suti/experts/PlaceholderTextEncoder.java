package io.github.t2i4j.suti.experts;

import io.github.t2i4j.core.tensor.NoGrad;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.pipelines.TextEncoder;
import io.github.t2i4j.core.tensor.HostArrays;
import io.github.t2i4j.core.text.CLIPTextModel;
import io.github.t2i4j.core.text.CLIPTextModelWithProjection;
import io.github.t2i4j.core.text.CLIPTextTransformer;
import io.github.t2i4j.core.text.CLIPTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A CLIP text encoder with one extra token, the Textual Inversion placeholder, whose embedding is
 * given from outside: the shared tokenizer and embedding table are left as they are.
 *
 * <p>Tokenisation splits a prompt at each occurrence of the placeholder string (matched as typed,
 * before the tokenizer's normalisation) and tokenises the pieces between, which is what a
 * HuggingFace tokenizer does with an added token; the placeholder becomes one position. The
 * embeddings are the table's rows for every other position and the given row at the
 * placeholder's; the encoder runs on them ({@code inputs_embeds}), with the ids placing the causal
 * mask and the EOS pooling (the placeholder's position holds the BOS id there, which is never
 * taken for EOS: neither equal to it nor larger).
 */
public final class PlaceholderTextEncoder {
    private static final Logger LOG = LoggerFactory.getLogger(PlaceholderTextEncoder.class);

    private final CLIPTokenizer tokenizer;
    private final CLIPTextTransformer text;
    private final String placeholder;
    private final long standInId;

    /**
     * @param tokenizer the base tokenizer (not owned)
     * @param text the base text encoder (not owned, not changed)
     * @param placeholder the placeholder string, e.g. {@code <subject>}
     */
    public PlaceholderTextEncoder(CLIPTokenizer tokenizer, TextEncoder text, String placeholder) {
        if (placeholder == null || placeholder.isBlank()) {
            throw new IllegalArgumentException("the placeholder must be a non-blank string");
        }
        this.tokenizer = tokenizer;
        this.text = transformer(text.model());
        this.placeholder = placeholder;
        this.standInId = tokenizer.bosTokenId();
    }

    /** The {@code text_model} of either transformers CLIP text class. */
    static CLIPTextTransformer transformer(Module model) {
        if (model instanceof CLIPTextModel m) {
            return m.textModel();
        }
        if (model instanceof CLIPTextModelWithProjection m) {
            return m.textModel();
        }
        throw new IllegalArgumentException("not a CLIP text encoder: " + model.getClass().getName());
    }

    public String placeholder() {
        return placeholder;
    }

    /** The embedding width of the text encoder. */
    public long hiddenSize() {
        return text.config().hiddenSize();
    }

    /** The base table's row for {@code tokenId}, as floats. */
    public float[] tableRow(long tokenId) {
        NDArray table = text.embeddings().tokenEmbedding().weight();
        return NoGrad.run(() -> {
            try (NDManager m = table.getManager().newSubManager()) {
                NDArray row = table.get(m, new ai.djl.ndarray.index.NDIndex("{}", tokenId));
                return row.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
            }
        });
    }

    /** Tokenised prompts: ids [B][L] (stand-in id at the placeholder) and where the placeholder is. */
    record Tokens(long[][] ids, boolean[][] placeholder) {}

    /** BOS, tokens (the placeholder one position), EOS, padding; cut to the tokenizer's length. */
    Tokens tokenize(List<String> prompts) {
        int length = tokenizer.modelMaxLength();
        long[][] ids = new long[prompts.size()][length];
        boolean[][] at = new boolean[prompts.size()][length];
        for (int b = 0; b < prompts.size(); b++) {
            List<Long> tokens = new ArrayList<>();
            List<Boolean> marks = new ArrayList<>();
            String[] pieces = prompts.get(b).split(java.util.regex.Pattern.quote(placeholder), -1);
            for (int k = 0; k < pieces.length; k++) {
                if (k > 0) {
                    tokens.add(standInId);
                    marks.add(true);
                }
                if (!pieces[k].isBlank()) {
                    for (long id : tokenizer.tokenize(pieces[k])) {
                        tokens.add(id);
                        marks.add(false);
                    }
                }
            }
            int room = length - 2;
            if (tokens.size() > room) {
                LOG.warn("prompt #{} has {} tokens but the text encoder takes {}: the last {} were dropped", b,
                        tokens.size(), room, tokens.size() - room);
            }
            int n = Math.min(room, tokens.size());
            Arrays.fill(ids[b], tokenizer.padTokenId());
            ids[b][0] = tokenizer.bosTokenId();
            for (int i = 0; i < n; i++) {
                ids[b][i + 1] = tokens.get(i);
                at[b][i + 1] = marks.get(i);
            }
            ids[b][n + 1] = tokenizer.eosTokenId();
        }
        return new Tokens(ids, at);
    }

    /** The last hidden state [B, L, D] of the prompts with {@code row} [1, D] as the placeholder's embedding. */
    public NDArray encode(NDManager m, List<String> prompts, NDArray row) {
        return encode(m, tokenize(prompts), row);
    }

    NDArray encode(NDManager m, Tokens t, NDArray row) {
        int b = t.ids().length;
        int l = t.ids()[0].length;
        float[] mask = new float[b * l];
        float[] keep = new float[b * l];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < l; j++) {
                mask[i * l + j] = t.placeholder()[i][j] ? 1f : 0f;
                keep[i * l + j] = 1f - mask[i * l + j];
            }
        }
        NDArray ids = HostArrays.owned(m.create(t.ids())).toDevice(row.getDevice(), false);
        NDArray tokens = text.embeddings().tokenEmbedding().forward(ids.reshape(-1));
        var type = tokens.getDataType();
        NDArray atPlaceholder = HostArrays.owned(m.create(mask, new Shape(b * l, 1))).toType(type, false)
                .toDevice(tokens.getDevice(), false);
        NDArray elsewhere = HostArrays.owned(m.create(keep, new Shape(b * l, 1))).toType(type, false)
                .toDevice(tokens.getDevice(), false);
        NDArray embeds = tokens.mul(elsewhere).add(atPlaceholder.mul(row.reshape(1, -1).toType(type, false)));
        return text.forward(ids, null, embeds.reshape(b, l, -1)).lastHiddenState();
    }
}
