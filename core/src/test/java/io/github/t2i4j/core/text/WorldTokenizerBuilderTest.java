package io.github.t2i4j.core.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorldTokenizerBuilderTest {
    private static final List<String> WORDS = List.of(
            "a", "red", "Blue", "blue", "circle", "square", "left", "of", "the", "and", ",", ".", "striped",
            "cafe\u0301"); // "café" in NFD: stored in NFC

    @Test
    void vocabularyIsUnknownThenSortedWordsThenBosAndEos() {
        WorldTokenizerBuilder b = new WorldTokenizerBuilder(WORDS);
        assertEquals(List.of(",", ".", "a", "and", "blue", "café", "circle", "left", "of", "red", "square",
                "striped", "the"), b.words());
        assertEquals(16, b.vocabSize());
        assertEquals(0, b.unkTokenId());
        assertEquals(14, b.bosTokenId());
        assertEquals(15, b.eosTokenId());
        assertEquals(15, b.padTokenId());
        Map<String, Integer> v = b.vocabulary();
        assertEquals(0, v.get("<unk>"));
        assertEquals(3, v.get("a"));
        assertEquals(14, v.get("<|startoftext|>"));
        CLIPTextConfig text = b.modelMaxLength(20).textConfig(32, 64, 2, 4, "quick_gelu", 16);
        assertEquals(16, text.vocabSize());
        assertEquals(20, text.maxPositionEmbeddings());
        assertEquals(14, text.bosTokenId());
        assertEquals(15, text.eosTokenId());
        assertEquals(15, text.padTokenId());
        // the same set in another order gives the same ids
        List<String> reversed = new java.util.ArrayList<>(WORDS);
        java.util.Collections.reverse(reversed);
        assertEquals(v, new WorldTokenizerBuilder(reversed).vocabulary());
    }

    @Test
    void clipTokenizerLoadsTheFolderAndEncodesWithBosEosAndPadding(@TempDir Path dir) {
        WorldTokenizerBuilder b = new WorldTokenizerBuilder(WORDS).modelMaxLength(16);
        b.write(dir);
        Map<String, Integer> v = b.vocabulary();
        try (CLIPTokenizer t = CLIPTokenizer.fromPretrained(dir)) {
            assertEquals(16, t.modelMaxLength());
            assertEquals(14, t.bosTokenId());
            assertEquals(15, t.eosTokenId());
            assertEquals(15, t.padTokenId());

            BatchEncoding e = t.encode("A  RED striped circle, left of the Blue square.");
            long[] expected = new long[16];
            Arrays.fill(expected, 15);
            long[] body = {14, v.get("a"), v.get("red"), v.get("striped"), v.get("circle"), v.get(","), v.get("left"),
                v.get("of"), v.get("the"), v.get("blue"), v.get("square"), v.get("."), 15};
            System.arraycopy(body, 0, expected, 0, body.length);
            assertArrayEquals(expected, e.inputIds()[0]);
            long[] mask = new long[16];
            Arrays.fill(mask, 0, 13, 1L);
            assertArrayEquals(mask, e.attentionMask()[0]);
            assertEquals(0, e.droppedTokens()[0]);

            // unknown words map to <unk>; NFC-composed and upper-case input finds the NFD-given word
            assertArrayEquals(new long[] {v.get("a"), 0, v.get("circle"), 0, v.get("café")},
                    t.tokenize("a green circle near CAFÉ"));
            // runs of punctuation are split mark by mark
            assertArrayEquals(new long[] {v.get("circle"), v.get(","), v.get("."), 0}, t.tokenize("circle,.!"));
            assertEquals("a red circle", t.decode(t.tokenize("a red circle")));
        }
    }

    @Test
    void theFilesCarryTheSettingsTransformersReads(@TempDir Path dir) throws Exception {
        new WorldTokenizerBuilder(WORDS).write(dir);
        JsonObject config = JsonParser.parseString(Files.readString(dir.resolve("tokenizer_config.json"))).getAsJsonObject();
        assertEquals(32, config.get("model_max_length").getAsInt());
        assertEquals("<|startoftext|>", config.get("bos_token").getAsString());
        assertEquals("<|endoftext|>", config.get("eos_token").getAsString());
        assertEquals("<|endoftext|>", config.get("pad_token").getAsString());
        assertEquals("<unk>", config.get("unk_token").getAsString());
        JsonObject map = JsonParser.parseString(Files.readString(dir.resolve("special_tokens_map.json"))).getAsJsonObject();
        assertEquals("<unk>", map.get("unk_token").getAsString());
        String json = Files.readString(dir.resolve("tokenizer.json"));
        assertTrue(json.contains("\"<|endoftext|>\""), "special tokens are written unescaped");
        assertTrue(json.contains("\"WordLevel\""));
        try (CLIPTokenizer t = CLIPTokenizer.fromPretrained(dir)) {
            assertEquals(32, t.modelMaxLength());
        }
    }

    @Test
    void thePostProcessorWrapsTextInBosAndEosWhenSpecialTokensAreAsked(@TempDir Path dir) throws Exception {
        WorldTokenizerBuilder b = new WorldTokenizerBuilder(WORDS);
        b.write(dir);
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"),
                Map.of("padding", "false", "truncation", "false"))) {
            long[] withSpecials = hf.encode("a red circle", true, false).getIds();
            assertArrayEquals(new long[] {14, 3, 10, 7, 15}, withSpecials);
            assertArrayEquals(new long[] {3, 10, 7}, hf.encode("a red circle", false, false).getIds());
        }
    }

    @Test
    void wordsOfCoversEveryCaption(@TempDir Path dir) {
        List<String> captions = List.of(
                "A red striped circle and a blue solid square.",
                "the green triangle is left of the yellow star",
                "Two circles: one bigger than the other!");
        List<String> words = WorldTokenizerBuilder.wordsOf(captions);
        assertTrue(words.contains(":") && words.contains("!") && words.contains("two"));
        assertFalse(words.contains("Two"));
        new WorldTokenizerBuilder(words).write(dir);
        try (CLIPTokenizer t = CLIPTokenizer.fromPretrained(dir)) {
            for (String c : captions) {
                long[] ids = t.tokenize(c);
                assertEquals(WorldTokenizerBuilder.split(c).size(), ids.length, c);
                for (long id : ids) {
                    assertTrue(id != 0, "no unknown token in: " + c);
                }
            }
        }
    }

    @Test
    void wordsThatAreNotSingleTokensAreRejected() {
        for (String bad : new String[] {"left-of", "two words", "", " ", ",.", "<|endoftext|>", "<unk>"}) {
            assertThrows(IllegalArgumentException.class, () -> new WorldTokenizerBuilder(List.of("a", bad)), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> new WorldTokenizerBuilder(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new WorldTokenizerBuilder(List.of("a")).modelMaxLength(2));
    }
}
