package io.github.t2i4j.core.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CLIPTokenizerTest {
    private static final long BOS = 998;
    private static final long EOS = 999;
    private static final long UNK = 0;

    static Path resource(String name) {
        try {
            return Paths.get(CLIPTokenizerTest.class.getResource("/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static long id(String word) throws Exception {
        Map<String, Object> spec =
                new Gson().fromJson(Files.readString(resource("tiny-clip-tokenizer/tokenizer.json")), Map.class);
        Map<String, Double> vocab = (Map<String, Double>) ((Map<String, Object>) spec.get("model")).get("vocab");
        return vocab.get(word).longValue();
    }

    private static long[] row(long... ids) {
        long[] r = new long[16];
        Arrays.fill(r, EOS);
        System.arraycopy(ids, 0, r, 0, ids.length);
        return r;
    }

    @Test
    void readsTheSpecialTokensAndLength() {
        try (CLIPTokenizer t = CLIPTokenizer.fromPretrained(resource("tiny-clip-tokenizer"))) {
            assertEquals(16, t.modelMaxLength());
            assertEquals(BOS, t.bosTokenId());
            assertEquals(EOS, t.eosTokenId());
            assertEquals(EOS, t.padTokenId());
            assertEquals("<|endoftext|>", t.padToken());
        }
    }

    @Test
    void shortPromptIsWrappedAndPaddedWithEos() throws Exception {
        try (CLIPTokenizer t = CLIPTokenizer.fromPretrained(resource("tiny-clip-tokenizer"))) {
            BatchEncoding e = t.encode("A photo of a  RED cat.");
            long[] expected = row(BOS, id("a"), id("photo"), id("of"), id("a"), id("red"), id("cat"), id("."), EOS);
            assertArrayEquals(expected, e.inputIds()[0]);
            long[] mask = new long[16];
            Arrays.fill(mask, 0, 9, 1L);
            assertArrayEquals(mask, e.attentionMask()[0]);
            assertEquals(0, e.droppedTokens()[0]);
            assertTrue(Arrays.stream(expected, 1, 8).allMatch(i -> i > 0 && i < 998));

            BatchEncoding empty = t.encode("");
            assertArrayEquals(row(BOS, EOS), empty.inputIds()[0]);
        }
    }

    @Test
    void unknownWordsMapToTheUnknownId() throws Exception {
        try (CLIPTokenizer t = CLIPTokenizer.fromPretrained(resource("tiny-clip-tokenizer"))) {
            assertArrayEquals(new long[] {id("a"), UNK, id("cat")}, t.tokenize("a flibbertigibbet cat"));
            assertArrayEquals(row(BOS, UNK, id("dog"), EOS), t.encode("Xyzzy dog").inputIds()[0]);
        }
    }

    @Test
    void longPromptIsTruncatedWithEosLastAndAWarning() throws Exception {
        String prompt = "a red cat and a blue dog and a green bird and a yellow fish on the left of a big tree";
        long[] all;
        BatchEncoding e;
        String log;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (CLIPTokenizer t = CLIPTokenizer.fromPretrained(resource("tiny-clip-tokenizer"))) {
            all = t.tokenize(prompt);
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            try {
                e = t.encode(prompt);
            } finally {
                System.setErr(err);
            }
            log = captured.toString(StandardCharsets.UTF_8);
        }
        assertEquals(22, all.length);
        long[] ids = e.inputIds()[0];
        assertEquals(16, ids.length);
        assertEquals(BOS, ids[0]);
        assertArrayEquals(Arrays.copyOf(all, 14), Arrays.copyOfRange(ids, 1, 15));
        assertEquals(EOS, ids[15]);
        assertTrue(Arrays.stream(e.attentionMask()[0]).allMatch(v -> v == 1));
        assertEquals(8, e.droppedTokens()[0]);
        assertTrue(log.contains("WARN") && log.contains("8 tokens were dropped") && log.contains("of a big tree"), log);
    }

    @Test
    void encodesABatch() throws Exception {
        try (CLIPTokenizer t = CLIPTokenizer.fromPretrained(resource("tiny-clip-tokenizer"));
                NDManager m = NDManager.newBaseManager()) {
            BatchEncoding e = t.encode(List.of("red circle", "", "a cat above a dog"));
            assertEquals(3, e.batchSize());
            assertEquals(16, e.length());
            assertArrayEquals(row(BOS, id("red"), id("circle"), EOS), e.inputIds()[0]);
            assertArrayEquals(row(BOS, EOS), e.inputIds()[1]);
            assertArrayEquals(
                    row(BOS, id("a"), id("cat"), id("above"), id("a"), id("dog"), EOS), e.inputIds()[2]);
            NDArray ids = e.inputIds(m);
            assertEquals(new Shape(3, 16), ids.getShape());
            assertEquals(DataType.INT64, ids.getDataType());
            assertArrayEquals(e.inputIds()[2], ids.get(2).toLongArray());
            NDArray mask = e.attentionMask(m);
            assertEquals(4 + 2 + 7, mask.sum().getLong());
        }
    }

    @Test
    void explicitLengthOverridesTheConfig() throws Exception {
        try (CLIPTokenizer t = CLIPTokenizer.fromPretrained(resource("tiny-clip-tokenizer"), 5)) {
            assertArrayEquals(new long[] {BOS, id("red"), id("cat"), id("on"), EOS},
                    t.encode("red cat on a mat").inputIds()[0]);
        }
    }

    /** A CLIP-style BPE ("</w>" suffixes) whose pad token is "!" (id 0), as SDXL's second tokenizer. */
    @Test
    void bpeTokenizerPaddedWithExclamationMark() {
        try (CLIPTokenizer t = CLIPTokenizer.fromPretrained(resource("tiny-bpe-tokenizer"))) {
            assertEquals(8, t.modelMaxLength());
            assertEquals(0, t.padTokenId());
            assertEquals("!", t.padToken());
            long bos = t.bosTokenId();
            long eos = t.eosTokenId();
            assertEquals(58, bos);
            assertEquals(59, eos);
            // "red</w>" 57, "cat</w>" 55, "dog" = d o g</w> = 4 15 34
            BatchEncoding e = t.encode("Red cat");
            assertArrayEquals(new long[] {bos, 57, 55, eos, 0, 0, 0, 0}, e.inputIds()[0]);
            assertArrayEquals(new long[] {1, 1, 1, 1, 0, 0, 0, 0}, e.attentionMask()[0]);
            assertArrayEquals(new long[] {bos, 57, 4, 15, 34, 55, 27, eos}, t.encode("red dog cat!").inputIds()[0]);
            assertEquals("red cat", t.decode(new long[] {bos, 57, 55, eos}));
        }
    }

    @Test
    void missingOptionalFilesFallBackToClipDefaults(@TempDir Path tmp) throws Exception {
        Files.copy(resource("tiny-clip-tokenizer/tokenizer.json"), tmp.resolve("tokenizer.json"));
        try (CLIPTokenizer t = CLIPTokenizer.fromPretrained(tmp)) {
            assertEquals(77, t.modelMaxLength());
            assertEquals(BOS, t.bosTokenId());
            assertEquals(EOS, t.padTokenId());
        }
        // a pad token that is no token is an error naming it
        JsonObject cfg = new JsonObject();
        cfg.addProperty("pad_token", "<pad>");
        cfg.addProperty("model_max_length", 1e30);
        Files.writeString(tmp.resolve("tokenizer_config.json"), cfg.toString());
        IllegalArgumentException ex =
                assertThrows(IllegalArgumentException.class, () -> CLIPTokenizer.fromPretrained(tmp));
        assertTrue(ex.getMessage().contains("<pad>"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CLIPTokenizer.fromPretrained(tmp.resolve("nowhere")));
    }
}
