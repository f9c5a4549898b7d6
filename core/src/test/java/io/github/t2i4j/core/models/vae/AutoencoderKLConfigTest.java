package io.github.t2i4j.core.models.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.t2i4j.core.Golden;
import java.util.List;
import org.junit.jupiter.api.Test;

class AutoencoderKLConfigTest {

    /** The vae/config.json of stabilityai/stable-diffusion-xl-base-1.0 (as diffusers 0.20 writes it). */
    private static final String SDXL =
            "{\"_class_name\":\"AutoencoderKL\",\"_diffusers_version\":\"0.20.0.dev0\",\"act_fn\":\"silu\","
                    + "\"block_out_channels\":[128,256,512,512],"
                    + "\"down_block_types\":[\"DownEncoderBlock2D\",\"DownEncoderBlock2D\",\"DownEncoderBlock2D\",\"DownEncoderBlock2D\"],"
                    + "\"force_upcast\":true,\"in_channels\":3,\"latent_channels\":4,\"layers_per_block\":2,"
                    + "\"norm_num_groups\":32,\"out_channels\":3,\"sample_size\":1024,\"scaling_factor\":0.13025,"
                    + "\"up_block_types\":[\"UpDecoderBlock2D\",\"UpDecoderBlock2D\",\"UpDecoderBlock2D\",\"UpDecoderBlock2D\"],"
                    + "\"latents_mean\":null,\"latents_std\":null,\"shift_factor\":null}";

    @Test
    void readsGoldenConfig() {
        AutoencoderKLConfig c = AutoencoderKLConfig.fromJson(Golden.config("vae"));
        assertEquals(List.of(32, 64), c.blockOutChannels());
        assertEquals(1, c.layersPerBlock());
        assertEquals(4, c.latentChannels());
        assertEquals(0.18215, c.scalingFactor(), 0);
        assertEquals(0.0, c.shiftFactor(), 0);
        assertTrue(c.midBlockAddAttention() && c.useQuantConv() && c.usePostQuantConv());
        assertEquals(2, c.latentFactor());
    }

    @Test
    void readsSdxlConfigWithNulls() {
        AutoencoderKLConfig c = AutoencoderKLConfig.fromJson(JsonParser.parseString(SDXL).getAsJsonObject());
        assertEquals(0.13025, c.scalingFactor(), 0);
        assertEquals(8, c.latentFactor());
        assertEquals(1024, c.sampleSize());
        assertNull(c.latentsMean());
        assertEquals(0.0, c.shiftFactor(), 0);
    }

    @Test
    void defaultsAreDiffusers() {
        AutoencoderKLConfig c = AutoencoderKLConfig.defaults();
        assertEquals(3, c.inChannels());
        assertEquals(List.of(64), c.blockOutChannels());
        assertEquals(List.of("DownEncoderBlock2D"), c.downBlockTypes());
        assertEquals(1, c.layersPerBlock());
        assertEquals("silu", c.actFn());
        assertEquals(32, c.normNumGroups());
        assertEquals(0.18215, c.scalingFactor(), 0);
        assertTrue(c.forceUpcast());
        assertEquals(1, c.latentFactor());
    }

    private static IllegalArgumentException reject(String key, String valueJson) {
        JsonObject o = Golden.config("vae");
        o.add(key, JsonParser.parseString(valueJson));
        return assertThrows(IllegalArgumentException.class, () -> AutoencoderKLConfig.fromJson(o));
    }

    @Test
    void rejectsUnsupportedOptions() {
        IllegalArgumentException e = reject("down_block_types", "[\"DownEncoderBlock2D\",\"AttnDownEncoderBlock2D\"]");
        assertTrue(e.getMessage().contains("down_block_types") && e.getMessage().contains("AttnDownEncoderBlock2D"),
                e.getMessage());
        e = reject("up_block_types", "[\"UpDecoderBlock2D\"]");
        assertTrue(e.getMessage().contains("up_block_types"), e.getMessage());
        e = reject("act_fn", "\"mish\"");
        assertTrue(e.getMessage().contains("act_fn") && e.getMessage().contains("mish"), e.getMessage());
        e = reject("block_out_channels", "[32, 48]");
        assertTrue(e.getMessage().contains("norm_num_groups"), e.getMessage());
        e = reject("_class_name", "\"VQModel\"");
        assertTrue(e.getMessage().contains("VQModel"), e.getMessage());
        e = reject("latents_mean", "[0.1, 0.2, 0.3, 0.4]");
        assertTrue(e.getMessage().contains("latents_std"), e.getMessage());
        e = reject("layers_per_block", "1.5");
        assertTrue(e.getMessage().contains("layers_per_block"), e.getMessage());
    }
}
