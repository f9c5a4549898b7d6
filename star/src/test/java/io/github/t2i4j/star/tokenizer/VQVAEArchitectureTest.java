package io.github.t2i4j.star.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.t2i4j.core.Golden;
import io.github.t2i4j.core.io.CheckpointException;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.io.SafetensorsWriter;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Names, shapes, config and strict loading of the tokenizer against VAR's layout. */
class VQVAEArchitectureTest {

    /** VAR's state dict for its released tokenizer, recorded from VAR's own module code. */
    private static Map<String, Shape> varReleasedStateDict() throws Exception {
        Map<String, Shape> out = new LinkedHashMap<>();
        try (BufferedReader r =
                new BufferedReader(
                        new InputStreamReader(
                                VQVAEArchitectureTest.class.getResourceAsStream("var_vae_ch160v4096z32.state_dict.txt"),
                                StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split(" ");
                out.put(parts[0], new Shape(Arrays.stream(parts[1].split(",")).mapToLong(Long::parseLong).toArray()));
            }
        }
        return out;
    }

    @Test
    void releasedConfigMatchesVarStateDict() throws Exception {
        Map<String, Shape> expected = varReleasedStateDict();
        assertEquals(324, expected.size());
        assertEquals(new Shape(10, 4096), expected.remove("quantize.ema_vocab_hit_SV"));

        MultiScaleVQTokenizer t = MultiScaleVQTokenizer.fromConfig(VQVAEConfig.var256()); // no weights allocated
        assertEquals(expected, t.namedShapes());
        assertTrue(t.namedBuffers().contains("quantize.ema_vocab_hit_SV"));
        assertEquals(108_948_355L, t.parameterCount());
        // a few spot shapes written from VAR's code
        Map<String, Shape> s = t.namedShapes();
        assertEquals(new Shape(160, 3, 3, 3), s.get("encoder.conv_in.weight"));
        assertEquals(new Shape(1920, 640, 1, 1), s.get("encoder.down.4.attn.1.qkv.weight"));
        assertEquals(new Shape(320, 640, 1, 1), s.get("decoder.up.3.block.0.nin_shortcut.weight"));
        assertEquals(new Shape(4096, 32), s.get("quantize.embedding.weight"));
        assertEquals(new Shape(32, 32, 3, 3), s.get("quantize.quant_resi.qresi_ls.3.weight"));
        assertTrue(!s.containsKey("encoder.down.4.downsample.conv.weight"));
        assertTrue(!s.containsKey("decoder.up.0.upsample.conv.weight"));

        VQVAEConfig c = VQVAEConfig.var256();
        assertEquals(680, c.tokenCount());
        assertEquals(16, c.downsample());
        assertEquals(256, c.imageSize());
    }

    @Test
    void goldenConfigReadsVarKeys() {
        VQVAEConfig c = VQVAEConfig.fromJson(Golden.dir("var_vqvae").resolve("config.json"));
        assertEquals(64, c.vocabSize());
        assertEquals(8, c.zChannels());
        assertEquals(32, c.ch());
        assertEquals(List.of(1, 1, 2, 2, 4), c.chMult());
        assertEquals(List.of(1, 2, 3, 4), c.vPatchNums());
        assertEquals(4, c.shareQuantResi());
        assertEquals(0.5, c.quantResi());
        assertEquals(64, c.imageSize());
        VQVAEConfig d = VQVAEConfig.defaults();
        assertEquals(128, d.ch());
        assertEquals(4096, d.vocabSize());
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 8, 10, 13, 16), d.vPatchNums());
    }

    @Test
    void configRejectsBadValuesByKey() {
        assertMessage("ch_mult", "{\"ch\": 32, \"ch_mult\": [1, 0]}");
        assertMessage("v_patch_nums", "{\"v_patch_nums\": [1, 3, 2]}");
        assertMessage("ch", "{\"ch\": 48}");
        assertMessage("quant_conv_ks", "{\"quant_conv_ks\": 2}");
        assertMessage("using_znorm", "{\"using_znorm\": \"yes\"}");
        assertMessage("vocab_size", "{\"vocab_size\": 0}");
    }

    private static void assertMessage(String key, String json) {
        JsonObject o = JsonParser.parseString(json).getAsJsonObject();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VQVAEConfig.fromJson(o));
        assertTrue(e.getMessage().contains(key), e.getMessage());
    }

    @Test
    void smallWorldConfigBuildsAndRoundTripsShapes() {
        // 64x64 images, 8x8 latents, scales 1,2,3,4,6,8
        JsonObject o = new JsonObject();
        o.addProperty("vocab_size", 128);
        o.addProperty("z_channels", 8);
        o.addProperty("ch", 32);
        VQVAEConfig c =
                VQVAEConfig.fromJson(o).withChMult(List.of(1, 2, 2, 4)).withPatchNums(List.of(1, 2, 3, 4, 6, 8));
        assertEquals(8, c.downsample());
        assertEquals(64, c.imageSize());
        try (NDManager m = NDManager.newBaseManager()) {
            MultiScaleVQTokenizer t = MultiScaleVQTokenizer.fromConfig(c);
            t.initialize(m, DataType.FLOAT32);
            NDArray image = m.randomUniform(-1f, 1f, new Shape(2, 3, 64, 64));
            NDArray f = t.encode(image);
            assertEquals(new Shape(2, 8, 8, 8), f.getShape());
            List<NDArray> ids = t.idxBl(f);
            assertEquals(6, ids.size());
            assertEquals(new Shape(2, 36), ids.get(4).getShape());
            assertEquals(DataType.INT64, ids.get(0).getDataType());
            NDArray varInput = t.idxBlToVarInput(ids);
            assertEquals(new Shape(2, c.tokenCount() - 1, 8), varInput.getShape());
            NDArray img = t.idxBlToImg(ids);
            assertEquals(new Shape(2, 3, 64, 64), img.getShape());
            assertTrue(img.max().getFloat() <= 1f && img.min().getFloat() >= -1f);
            // decoding the ids gives the image of the quantiser's final f-hat
            List<NDArray> fhats = t.fhats(f);
            Golden.assertClose("idxBlToImg vs fhatToImg", t.fhatToImg(fhats.get(5)), img, 1e-5);
            assertEquals(6, t.idxBlToImg(ids, false).size());
        }
    }

    @Test
    void phiTicksFollowNumpy() {
        // np.argmin(np.abs(ticks - si/(SN-1))) computed with numpy 2.4 (several are exact ties in real
        // arithmetic that floating point decides, e.g. 2/9 between 1/12 and 13/36)
        assertPhis(4, 4, 0, 1, 2, 3);
        assertPhis(4, 6, 0, 0, 1, 2, 3, 3);
        assertPhis(4, 10, 0, 0, 1, 1, 1, 2, 2, 3, 3, 3);
        assertPhis(4, 12, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3);
        assertPhis(4, 13, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3);
        assertPhis(3, 4, 0, 0, 1, 2);
        assertPhis(3, 10, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2);
        assertPhis(6, 4, 0, 1, 3, 5);
        assertPhis(6, 13, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 5, 5, 5);
    }

    private static void assertPhis(int k, int sn, int... expected) {
        double[] ticks = QuantResi.ticks(k);
        int[] got = new int[sn];
        for (int si = 0; si < sn; si++) {
            got[si] = QuantResi.nearestTick(ticks, (double) si / (sn - 1));
        }
        assertArrayEquals(expected, got, "K=" + k + " SN=" + sn);
    }

    @Test
    void phiSharingVariantsUseVarNames() {
        JsonObject o = new JsonObject();
        o.addProperty("ch", 32);
        o.addProperty("z_channels", 8);
        o.addProperty("share_quant_resi", 0);
        o.add("v_patch_nums", JsonParser.parseString("[1, 2, 4]"));
        VectorQuantizer2 q = new VectorQuantizer2(VQVAEConfig.fromJson(o));
        assertTrue(q.namedShapes().containsKey("quant_resi.2.weight"), q.namedShapes().keySet().toString());
        o.addProperty("share_quant_resi", 1);
        q = new VectorQuantizer2(VQVAEConfig.fromJson(o));
        assertTrue(q.namedShapes().containsKey("quant_resi.qresi.bias"), q.namedShapes().keySet().toString());
        o.addProperty("quant_resi", 0.0);
        q = new VectorQuantizer2(VQVAEConfig.fromJson(o));
        assertEquals(List.of("embedding.weight"), List.copyOf(q.namedShapes().keySet()));
    }

    @Test
    void loadsStrictlyAndAcceptsTheEmaBuffer(@TempDir Path dir) throws Exception {
        Path golden = Golden.dir("var_vqvae").resolve("weights.safetensors");
        VQVAEConfig c = VQVAEConfig.fromJson(Golden.dir("var_vqvae").resolve("config.json"));
        try (NDManager m = NDManager.newBaseManager(); SafetensorsFile src = SafetensorsFile.open(golden)) {
            // the checkpoint as VAR saves it, with the usage buffer
            SafetensorsWriter withBuffer = new SafetensorsWriter();
            SafetensorsWriter missingOne = new SafetensorsWriter();
            for (String n : src.names()) {
                NDArray a = src.load(n, m);
                withBuffer.add(n, a);
                if (!n.equals("quantize.quant_resi.qresi_ls.2.bias")) {
                    missingOne.add(n, a);
                }
            }
            withBuffer.add("quantize.ema_vocab_hit_SV", m.zeros(new Shape(4, 64)));
            Path full = dir.resolve("vae.safetensors");
            Path broken = dir.resolve("broken.safetensors");
            withBuffer.write(full);
            missingOne.write(broken);

            MultiScaleVQTokenizer t = MultiScaleVQTokenizer.fromCheckpoint(full, c, m);
            assertEquals(t.namedShapes().keySet(), t.namedParameters().keySet());
            assertTrue(t.namedParameters().values().stream().allMatch(p -> p.isInitialized()));

            CheckpointException e =
                    assertThrows(CheckpointException.class, () -> MultiScaleVQTokenizer.fromCheckpoint(broken, c, m));
            assertTrue(e.getMessage().contains("quantize.quant_resi.qresi_ls.2.bias"), e.getMessage());

            Path pth = dir.resolve("vae_ch160v4096z32.pth");
            Files.writeString(pth, "not a safetensors file");
            e = assertThrows(CheckpointException.class, () -> MultiScaleVQTokenizer.fromCheckpoint(pth, c, m));
            assertTrue(e.getMessage().contains("save_file"), e.getMessage());
        }
    }
}
