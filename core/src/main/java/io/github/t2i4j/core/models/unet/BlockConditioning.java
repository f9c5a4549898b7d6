package io.github.t2i4j.core.models.unet;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a UNet's transformer blocks attend to on one forward: the text states every block
 * cross-attends to, and the extra tokens that {@link TokenFuser}s attached to the blocks read
 * (GLIGEN's grounding tokens, SuTI's demonstration features), by the key each fuser names; diffusers
 * passes the latter in {@code cross_attention_kwargs}.
 *
 * @param encoderHiddenStates [B, S, cross_attention_dim]
 * @param extraTokens [B, N, D] arrays by {@link TokenFuser#tokensKey()}; a fuser whose key is absent
 *     is skipped (with no entry at all the UNet is the plain text-conditioned one)
 */
public record BlockConditioning(NDArray encoderHiddenStates, Map<String, NDArray> extraTokens) {

    public BlockConditioning {
        extraTokens = extraTokens == null ? Map.of() : Map.copyOf(extraTokens);
    }

    /** Text conditioning only. */
    public static BlockConditioning text(NDArray encoderHiddenStates) {
        return new BlockConditioning(encoderHiddenStates, Map.of());
    }

    /** This conditioning with {@code tokens} for the fusers that read {@code key}. */
    public BlockConditioning withTokens(String key, NDArray tokens) {
        Map<String, NDArray> all = new LinkedHashMap<>(extraTokens);
        all.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(tokens, "tokens"));
        return new BlockConditioning(encoderHiddenStates, all);
    }

    /** The tokens under {@code key}, or null. */
    public NDArray tokens(String key) {
        return extraTokens.get(key);
    }
}
