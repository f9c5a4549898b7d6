package io.github.t2i4j.core.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tokenizer of a CLIP text encoder with transformers' {@code CLIPTokenizer} conventions, over a
 * local tokenizer folder ({@code tokenizer.json}, plus {@code tokenizer_config.json} and {@code
 * special_tokens_map.json} when present): every prompt becomes BOS, its tokens, EOS, padded to
 * {@code model_max_length} (77 for CLIP) with the configured pad token; a prompt too long is cut
 * to fit, with a warning saying how many tokens were dropped.
 *
 * <p>The text is split into tokens by DJL's HuggingFace tokenizer (whatever model type the
 * tokenizer.json holds: CLIP's BPE with "&lt;/w&gt;" suffixes, WordLevel, ...), with its own
 * special tokens, padding and truncation switched off; the special tokens, truncation and padding
 * are applied here by id, as a tokenizer.json with {@code "padding": null} would otherwise pad
 * with id 0. Nothing is downloaded: the native library comes from the jar's CPU build.
 */
public final class CLIPTokenizer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CLIPTokenizer.class);

    /** CLIP's context length, used when tokenizer_config.json gives none (or "no limit"). */
    public static final int DEFAULT_MODEL_MAX_LENGTH = 77;

    static final String DEFAULT_BOS = "<|startoftext|>";
    static final String DEFAULT_EOS = "<|endoftext|>";

    private final HuggingFaceTokenizer tokenizer;
    private final int modelMaxLength;
    private final long bosTokenId;
    private final long eosTokenId;
    private final long padTokenId;
    private final String padToken;

    private CLIPTokenizer(
            HuggingFaceTokenizer tokenizer, int modelMaxLength, long bos, long eos, long pad, String padToken) {
        this.tokenizer = tokenizer;
        this.modelMaxLength = modelMaxLength;
        this.bosTokenId = bos;
        this.eosTokenId = eos;
        this.padTokenId = pad;
        this.padToken = padToken;
    }

    /** Loads a tokenizer folder, with its configured {@code model_max_length} (default 77). */
    public static CLIPTokenizer fromPretrained(Path dir) {
        return fromPretrained(dir, 0);
    }

    /**
     * Loads a tokenizer folder.
     *
     * @param maxLength the fixed output length including BOS and EOS (e.g. the text encoder's
     *     max_position_embeddings), or 0 for the folder's {@code model_max_length}
     */
    public static CLIPTokenizer fromPretrained(Path dir, int maxLength) {
        Path tokenizerJson = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new IllegalArgumentException("no tokenizer.json in tokenizer folder " + dir);
        }
        JsonObject tokenizerConfig = readOptional(dir.resolve("tokenizer_config.json"));
        JsonObject specialTokens = readOptional(dir.resolve("special_tokens_map.json"));
        JsonObject spec = read(tokenizerJson);

        String bos = specialToken("bos_token", tokenizerConfig, specialTokens, DEFAULT_BOS);
        String eos = specialToken("eos_token", tokenizerConfig, specialTokens, DEFAULT_EOS);
        String pad = specialToken("pad_token", tokenizerConfig, specialTokens, eos);
        int length = maxLength > 0 ? maxLength : modelMaxLength(tokenizerConfig);
        if (length < 2) {
            throw new IllegalArgumentException("max length " + length + " leaves no room for BOS and EOS");
        }
        long bosId = tokenId(spec, bos, "bos_token", tokenizerJson);
        long eosId = tokenId(spec, eos, "eos_token", tokenizerJson);
        long padId = tokenId(spec, pad, "pad_token", tokenizerJson);

        prepareOffline();
        HuggingFaceTokenizer hf;
        try (InputStream in = Files.newInputStream(tokenizerJson)) {
            // special tokens, truncation and padding are ours: switch off the tokenizer's own
            hf = HuggingFaceTokenizer.newInstance(
                    in, Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + tokenizerJson + ": " + e, e);
        }
        LOG.debug("CLIP tokenizer {}: length {}, bos {} eos {} pad {} ({})", dir, length, bosId, eosId, padId, pad);
        return new CLIPTokenizer(hf, length, bosId, eosId, padId, pad);
    }

    /**
     * Keeps DJL's tokenizer native library from being downloaded (a CUDA flavour on GPU machines)
     * and its telemetry from calling out, unless the user has chosen otherwise.
     */
    private static void prepareOffline() {
        setIfAbsent("RUST_FLAVOR", "cpu");
        setIfAbsent("OPT_OUT_TRACKING", "true");
    }

    private static void setIfAbsent(String name, String value) {
        if (System.getenv(name) == null && System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }

    /** Tokenises one prompt to {@code [1, maxLength]}. */
    public BatchEncoding encode(String prompt) {
        return encode(List.of(prompt));
    }

    /** Tokenises prompts to {@code [B, maxLength]}: BOS, tokens, EOS, padding. */
    public BatchEncoding encode(List<String> prompts) {
        int b = prompts.size();
        long[][] ids = new long[b][modelMaxLength];
        long[][] mask = new long[b][modelMaxLength];
        int[] dropped = new int[b];
        if (b == 0) {
            return new BatchEncoding(ids, mask, dropped);
        }
        Encoding[] encodings = tokenizer.batchEncode(prompts, false, false);
        int room = modelMaxLength - 2;
        for (int i = 0; i < b; i++) {
            long[] tokens = encodings[i].getIds();
            int n = Math.min(tokens.length, room);
            if (tokens.length > room) {
                dropped[i] = tokens.length - room;
                LOG.warn(
                        "{} has {} tokens but the text encoder takes {} (plus BOS and EOS): the last {}"
                                + " tokens were dropped: \"{}\"",
                        b == 1 ? "the prompt" : "prompt #" + i,
                        tokens.length,
                        room,
                        dropped[i],
                        tokenizer.decode(Arrays.copyOfRange(tokens, room, tokens.length), true));
            }
            long[] row = ids[i];
            Arrays.fill(row, padTokenId);
            row[0] = bosTokenId;
            System.arraycopy(tokens, 0, row, 1, n);
            row[n + 1] = eosTokenId;
            Arrays.fill(mask[i], 0, n + 2, 1L);
        }
        return new BatchEncoding(ids, mask, dropped);
    }

    /** The prompt's token ids without special tokens, truncation or padding. */
    public long[] tokenize(String text) {
        return tokenizer.encode(text, false, false).getIds();
    }

    /** Text of token ids, skipping special tokens. */
    public String decode(long[] ids) {
        return tokenizer.decode(ids, true);
    }

    /** The fixed output length, BOS and EOS included. */
    public int modelMaxLength() {
        return modelMaxLength;
    }

    public long bosTokenId() {
        return bosTokenId;
    }

    public long eosTokenId() {
        return eosTokenId;
    }

    public long padTokenId() {
        return padTokenId;
    }

    public String padToken() {
        return padToken;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    // ---- tokenizer folder parsing

    private static JsonObject read(Path file) {
        try {
            JsonElement el = JsonParser.parseString(Files.readString(file));
            if (!el.isJsonObject()) {
                throw new IllegalArgumentException(file + " is not a JSON object");
            }
            return el.getAsJsonObject();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e, e);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static JsonObject readOptional(Path file) {
        return Files.isRegularFile(file) ? read(file) : new JsonObject();
    }

    /** A special token from tokenizer_config.json, else special_tokens_map.json, else the default. */
    static String specialToken(String key, JsonObject tokenizerConfig, JsonObject specialTokens, String def) {
        for (JsonObject o : List.of(tokenizerConfig, specialTokens)) {
            String t = tokenContent(o.get(key), key);
            if (t != null) {
                return t;
            }
        }
        return def;
    }

    /** A token given as a string or as an AddedToken object with "content". */
    private static String tokenContent(JsonElement e, String key) {
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            return e.getAsString();
        }
        if (e.isJsonObject() && e.getAsJsonObject().has("content")) {
            return e.getAsJsonObject().get("content").getAsString();
        }
        throw new IllegalArgumentException("tokenizer key " + key + " is neither a string nor a token object: " + e);
    }

    /** model_max_length, or 77 when absent or "unlimited" (transformers writes 1e30 then). */
    static int modelMaxLength(JsonObject tokenizerConfig) {
        JsonElement e = tokenizerConfig.get("model_max_length");
        if (e == null || e.isJsonNull()) {
            return DEFAULT_MODEL_MAX_LENGTH;
        }
        BigDecimal v;
        try {
            v = e.getAsBigDecimal();
        } catch (RuntimeException ex) {
            throw new IllegalArgumentException("tokenizer key model_max_length must be a number, got " + e);
        }
        if (v.compareTo(BigDecimal.valueOf(1_000_000)) > 0) {
            return DEFAULT_MODEL_MAX_LENGTH;
        }
        return v.intValue();
    }

    /** The id of a token: an added token, else an entry of the model's vocabulary. */
    static long tokenId(JsonObject spec, String token, String role, Path file) {
        JsonElement added = spec.get("added_tokens");
        if (added != null && added.isJsonArray()) {
            for (JsonElement t : added.getAsJsonArray()) {
                JsonObject o = t.getAsJsonObject();
                if (token.equals(o.get("content").getAsString())) {
                    return o.get("id").getAsLong();
                }
            }
        }
        JsonElement model = spec.get("model");
        JsonElement vocab = model != null && model.isJsonObject() ? model.getAsJsonObject().get("vocab") : null;
        if (vocab != null && vocab.isJsonObject() && vocab.getAsJsonObject().has(token)) {
            return vocab.getAsJsonObject().get(token).getAsLong();
        }
        if (vocab != null && vocab.isJsonArray()) { // Unigram: [[piece, score], ...], id = index
            JsonArray pieces = vocab.getAsJsonArray();
            for (int i = 0; i < pieces.size(); i++) {
                if (token.equals(pieces.get(i).getAsJsonArray().get(0).getAsString())) {
                    return i;
                }
            }
        }
        throw new IllegalArgumentException(role + " '" + token + "' is not a token of " + file);
    }
}
