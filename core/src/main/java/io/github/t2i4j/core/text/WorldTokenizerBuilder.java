package io.github.t2i4j.core.text;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds a CLIP-style HuggingFace tokenizer folder for a closed vocabulary (the words of t2i4j's
 * world captions), loadable by {@link CLIPTokenizer#fromPretrained(Path)} through DJL's tokenizers
 * and by Python's {@code AutoTokenizer}:
 *
 * <ul>
 *   <li>{@code tokenizer.json}: a WordLevel model (one id per whole word), an NFC + lowercase
 *       normaliser as CLIP's, a pre-tokenizer splitting on whitespace and isolating every
 *       punctuation mark, the special tokens {@value #UNK_TOKEN} (id 0, what every word outside
 *       the vocabulary becomes), {@value #BOS_TOKEN} and {@value #EOS_TOKEN} (the last two ids, as
 *       in CLIP), and a post-processor wrapping a text in BOS ... EOS;
 *   <li>{@code tokenizer_config.json}: {@code model_max_length} (default {@value
 *       #DEFAULT_MODEL_MAX_LENGTH}) and the bos/eos/pad/unk tokens, padding with EOS as CLIP does;
 *   <li>{@code special_tokens_map.json}.
 * </ul>
 *
 * <p>Words are normalised as the tokenizer normalises text (NFC, lower case), deduplicated and
 * sorted, so the ids depend only on the set of words. Each word must be what the pre-tokenizer
 * yields: a run of letters/digits/underscores, or a single punctuation mark; anything else could
 * never be produced from text and is rejected. {@link #wordsOf(Iterable)} collects such words
 * from example texts.
 */
public final class WorldTokenizerBuilder {
    public static final String UNK_TOKEN = "<unk>";
    public static final String BOS_TOKEN = CLIPTokenizer.DEFAULT_BOS;
    public static final String EOS_TOKEN = CLIPTokenizer.DEFAULT_EOS;
    public static final int DEFAULT_MODEL_MAX_LENGTH = 32;

    /** What the pre-tokenizer yields from normalised text: a word, or one punctuation mark. */
    private static final Pattern PRE_TOKEN = Pattern.compile("\\w+|[^\\w\\s]", Pattern.UNICODE_CHARACTER_CLASS);

    private final List<String> words;
    private int modelMaxLength = DEFAULT_MODEL_MAX_LENGTH;

    /** A builder for the given words (normalised, deduplicated and sorted; see the class doc). */
    public WorldTokenizerBuilder(Collection<String> words) {
        TreeSet<String> set = new TreeSet<>();
        for (String w : words) {
            if (w == null) {
                throw new IllegalArgumentException("the word list contains null");
            }
            String n = normalize(w);
            if (!PRE_TOKEN.matcher(n).matches()) {
                throw new IllegalArgumentException(
                        "'" + w + "' is not a single token of this tokenizer: words must be letters/digits only,"
                                + " or one punctuation mark (split '" + w + "' into " + split(n) + ")");
            }
            set.add(n);
        }
        if (set.isEmpty()) {
            throw new IllegalArgumentException("the word list is empty");
        }
        this.words = List.copyOf(set);
    }

    /** The fixed sequence length, BOS and EOS included (the text encoder's max_position_embeddings). */
    public WorldTokenizerBuilder modelMaxLength(int length) {
        if (length < 3) {
            throw new IllegalArgumentException("model_max_length must leave room for BOS, a token and EOS, got " + length);
        }
        this.modelMaxLength = length;
        return this;
    }

    /** NFC then lower case: what the tokenizer's normaliser does to text. */
    public static String normalize(String text) {
        return Normalizer.normalize(text, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
    }

    /** The normalised pre-tokens of a text (words and single punctuation marks), in order. */
    public static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = PRE_TOKEN.matcher(normalize(text));
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    /** Every distinct pre-token of the texts, sorted: a word list covering them all. */
    public static List<String> wordsOf(Iterable<String> texts) {
        TreeSet<String> set = new TreeSet<>();
        for (String t : texts) {
            set.addAll(split(t));
        }
        return List.copyOf(set);
    }

    /** The normalised, sorted words (ids 1 .. n). */
    public List<String> words() {
        return words;
    }

    public int modelMaxLength() {
        return modelMaxLength;
    }

    public int unkTokenId() {
        return 0;
    }

    public int bosTokenId() {
        return words.size() + 1;
    }

    public int eosTokenId() {
        return words.size() + 2;
    }

    /** The pad id: EOS, as in CLIP. */
    public int padTokenId() {
        return eosTokenId();
    }

    /** Number of ids, special tokens included (the text encoder's vocab_size). */
    public int vocabSize() {
        return words.size() + 3;
    }

    /**
     * A text encoder config matching this tokenizer: vocab_size, max_position_embeddings = {@link
     * #modelMaxLength()}, and the BOS/EOS/pad ids (EOS pooling by the first EOS, as transformers
     * does for eos_token_id other than 2).
     */
    public CLIPTextConfig textConfig(
            int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads, String hiddenAct,
            int projectionDim) {
        return new CLIPTextConfig(
                vocabSize(), hiddenSize, intermediateSize, numHiddenLayers, numAttentionHeads, modelMaxLength,
                hiddenAct, 1e-5f, projectionDim, bosTokenId(), eosTokenId(), padTokenId());
    }

    /** Token to id: {@value #UNK_TOKEN}, the words, BOS, EOS. */
    public Map<String, Integer> vocabulary() {
        Map<String, Integer> v = new LinkedHashMap<>();
        v.put(UNK_TOKEN, unkTokenId());
        for (int i = 0; i < words.size(); i++) {
            v.put(words.get(i), i + 1);
        }
        v.put(BOS_TOKEN, bosTokenId());
        v.put(EOS_TOKEN, eosTokenId());
        return Collections.unmodifiableMap(v);
    }

    /** Writes tokenizer.json, tokenizer_config.json and special_tokens_map.json into {@code dir} (created if needed). */
    public void write(Path dir) {
        Gson gson = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create();
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("tokenizer.json"), gson.toJson(tokenizerJson()));
            Files.writeString(dir.resolve("tokenizer_config.json"), gson.toJson(tokenizerConfigJson()));
            Files.writeString(dir.resolve("special_tokens_map.json"), gson.toJson(specialTokensMapJson()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write tokenizer files to " + dir, e);
        }
    }

    /** The HuggingFace tokenizers {@code tokenizer.json}. */
    public JsonObject tokenizerJson() {
        JsonObject o = new JsonObject();
        o.addProperty("version", "1.0");
        o.add("truncation", JsonNull.INSTANCE);
        o.add("padding", JsonNull.INSTANCE);
        JsonArray added = new JsonArray();
        added.add(addedToken(UNK_TOKEN, unkTokenId()));
        added.add(addedToken(BOS_TOKEN, bosTokenId()));
        added.add(addedToken(EOS_TOKEN, eosTokenId()));
        o.add("added_tokens", added);

        // CLIP's normaliser: NFC, collapse whitespace, lower case
        JsonArray norms = new JsonArray();
        norms.add(typed("NFC"));
        JsonObject replace = typed("Replace");
        JsonObject pattern = new JsonObject();
        pattern.addProperty("Regex", "\\s+");
        replace.add("pattern", pattern);
        replace.addProperty("content", " ");
        norms.add(replace);
        norms.add(typed("Lowercase"));
        JsonObject normalizer = typed("Sequence");
        normalizer.add("normalizers", norms);
        o.add("normalizer", normalizer);

        // \w+ | [^\w\s]+ runs, then every punctuation mark on its own
        JsonArray pres = new JsonArray();
        pres.add(typed("Whitespace"));
        JsonObject punct = typed("Punctuation");
        punct.addProperty("behavior", "Isolated");
        pres.add(punct);
        JsonObject pre = typed("Sequence");
        pre.add("pretokenizers", pres);
        o.add("pre_tokenizer", pre);

        o.add("post_processor", templateProcessing());
        o.add("decoder", JsonNull.INSTANCE);

        JsonObject model = typed("WordLevel");
        JsonObject vocab = new JsonObject();
        vocabulary().forEach(vocab::addProperty);
        model.add("vocab", vocab);
        model.addProperty("unk_token", UNK_TOKEN);
        o.add("model", model);
        return o;
    }

    /** BOS $A EOS (and BOS $A EOS $B EOS for pairs), applied when special tokens are requested. */
    private JsonObject templateProcessing() {
        JsonObject p = typed("TemplateProcessing");
        JsonArray single = new JsonArray();
        single.add(special(BOS_TOKEN));
        single.add(sequence("A"));
        single.add(special(EOS_TOKEN));
        JsonArray pair = single.deepCopy();
        pair.add(sequence("B"));
        pair.add(special(EOS_TOKEN));
        p.add("single", single);
        p.add("pair", pair);
        JsonObject specials = new JsonObject();
        specials.add(BOS_TOKEN, specialEntry(BOS_TOKEN, bosTokenId()));
        specials.add(EOS_TOKEN, specialEntry(EOS_TOKEN, eosTokenId()));
        p.add("special_tokens", specials);
        return p;
    }

    private static JsonObject special(String token) {
        JsonObject inner = new JsonObject();
        inner.addProperty("id", token);
        inner.addProperty("type_id", 0);
        JsonObject o = new JsonObject();
        o.add("SpecialToken", inner);
        return o;
    }

    private static JsonObject sequence(String id) {
        JsonObject inner = new JsonObject();
        inner.addProperty("id", id);
        inner.addProperty("type_id", 0);
        JsonObject o = new JsonObject();
        o.add("Sequence", inner);
        return o;
    }

    private static JsonObject specialEntry(String token, int id) {
        JsonObject o = new JsonObject();
        o.addProperty("id", token);
        JsonArray ids = new JsonArray();
        ids.add(id);
        JsonArray tokens = new JsonArray();
        tokens.add(token);
        o.add("ids", ids);
        o.add("tokens", tokens);
        return o;
    }

    private static JsonObject addedToken(String content, int id) {
        JsonObject t = new JsonObject();
        t.addProperty("id", id);
        t.addProperty("content", content);
        t.addProperty("single_word", false);
        t.addProperty("lstrip", false);
        t.addProperty("rstrip", false);
        t.addProperty("normalized", false);
        t.addProperty("special", true);
        return t;
    }

    private static JsonObject typed(String type) {
        JsonObject o = new JsonObject();
        o.addProperty("type", type);
        return o;
    }

    /**
     * transformers' {@code tokenizer_config.json}. The class is the generic {@code
     * PreTrainedTokenizerFast}: transformers' CLIPTokenizerFast insists on CLIP's byte-level BPE.
     */
    public JsonObject tokenizerConfigJson() {
        JsonObject o = new JsonObject();
        o.addProperty("tokenizer_class", "PreTrainedTokenizerFast");
        o.addProperty("model_max_length", modelMaxLength);
        o.addProperty("bos_token", BOS_TOKEN);
        o.addProperty("eos_token", EOS_TOKEN);
        o.addProperty("pad_token", EOS_TOKEN);
        o.addProperty("unk_token", UNK_TOKEN);
        o.addProperty("do_lower_case", true);
        o.addProperty("clean_up_tokenization_spaces", false);
        o.addProperty("padding_side", "right");
        return o;
    }

    /** transformers' {@code special_tokens_map.json}. */
    public JsonObject specialTokensMapJson() {
        JsonObject o = new JsonObject();
        o.addProperty("bos_token", BOS_TOKEN);
        o.addProperty("eos_token", EOS_TOKEN);
        o.addProperty("pad_token", EOS_TOKEN);
        o.addProperty("unk_token", UNK_TOKEN);
        return o;
    }
}
