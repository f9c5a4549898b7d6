package io.github.t2i4j.core.models.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.t2i4j.core.Golden;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Config parsing, rejection of what is not implemented, and full-size layouts (no weights allocated). */
class UNet2DConditionConfigTest {

    /** stabilityai/stable-diffusion-xl-base-1.0 unet/config.json (diffusers 0.19). */
    static final String SDXL_BASE =
            "{\"_class_name\":\"UNet2DConditionModel\",\"_diffusers_version\":\"0.19.0.dev0\",\"act_fn\":\"silu\","
                    + "\"addition_embed_type\":\"text_time\",\"addition_embed_type_num_heads\":64,"
                    + "\"addition_time_embed_dim\":256,\"attention_head_dim\":[5,10,20],"
                    + "\"block_out_channels\":[320,640,1280],\"center_input_sample\":false,\"class_embed_type\":null,"
                    + "\"class_embeddings_concat\":false,\"conv_in_kernel\":3,\"conv_out_kernel\":3,"
                    + "\"cross_attention_dim\":2048,\"cross_attention_norm\":null,"
                    + "\"down_block_types\":[\"DownBlock2D\",\"CrossAttnDownBlock2D\",\"CrossAttnDownBlock2D\"],"
                    + "\"downsample_padding\":1,\"dual_cross_attention\":false,\"encoder_hid_dim\":null,"
                    + "\"encoder_hid_dim_type\":null,\"flip_sin_to_cos\":true,\"freq_shift\":0,\"in_channels\":4,"
                    + "\"layers_per_block\":2,\"mid_block_only_cross_attention\":null,\"mid_block_scale_factor\":1,"
                    + "\"mid_block_type\":\"UNetMidBlock2DCrossAttn\",\"norm_eps\":1e-05,\"norm_num_groups\":32,"
                    + "\"num_attention_heads\":null,\"num_class_embeds\":null,\"only_cross_attention\":false,"
                    + "\"out_channels\":4,\"projection_class_embeddings_input_dim\":2816,"
                    + "\"resnet_out_scale_factor\":1.0,\"resnet_skip_time_act\":false,"
                    + "\"resnet_time_scale_shift\":\"default\",\"sample_size\":128,\"time_cond_proj_dim\":null,"
                    + "\"time_embedding_act_fn\":null,\"time_embedding_dim\":null,"
                    + "\"time_embedding_type\":\"positional\",\"timestep_post_act\":null,"
                    + "\"transformer_layers_per_block\":[1,2,10],"
                    + "\"up_block_types\":[\"CrossAttnUpBlock2D\",\"CrossAttnUpBlock2D\",\"UpBlock2D\"],"
                    + "\"upcast_attention\":null,\"use_linear_projection\":true}";

    /** runwayml/stable-diffusion-v1-5 unet/config.json (diffusers 0.6: most keys absent). */
    static final String SD15 =
            "{\"_class_name\":\"UNet2DConditionModel\",\"_diffusers_version\":\"0.6.0\",\"act_fn\":\"silu\","
                    + "\"attention_head_dim\":8,\"block_out_channels\":[320,640,1280,1280],"
                    + "\"center_input_sample\":false,\"cross_attention_dim\":768,"
                    + "\"down_block_types\":[\"CrossAttnDownBlock2D\",\"CrossAttnDownBlock2D\","
                    + "\"CrossAttnDownBlock2D\",\"DownBlock2D\"],\"downsample_padding\":1,\"flip_sin_to_cos\":true,"
                    + "\"freq_shift\":0,\"in_channels\":4,\"layers_per_block\":2,\"mid_block_scale_factor\":1,"
                    + "\"norm_eps\":1e-05,\"norm_num_groups\":32,\"out_channels\":4,\"sample_size\":64,"
                    + "\"up_block_types\":[\"UpBlock2D\",\"CrossAttnUpBlock2D\",\"CrossAttnUpBlock2D\","
                    + "\"CrossAttnUpBlock2D\"]}";

    private static JsonObject json(String s) {
        return JsonParser.parseString(s).getAsJsonObject();
    }

    @Test
    void stableDiffusion15LayoutHasTheKnownParameterCount() {
        UNet2DConditionConfig c = UNet2DConditionConfig.stableDiffusion15();
        assertEquals(UNet2DConditionConfig.fromJson(json(SD15)), c);
        UNet2DConditionModel model = UNet2DConditionModel.fromConfig(c); // no arrays are allocated
        assertEquals(859_520_964L, model.parameterCount());
        Map<String, Shape> shapes = model.namedShapes();
        assertEquals(686, shapes.size());
        assertEquals(new Shape(320, 320, 1, 1), shapes.get("down_blocks.0.attentions.0.proj_in.weight"));
        assertEquals(new Shape(320, 768), shapes.get("up_blocks.3.attentions.2.transformer_blocks.0.attn2.to_k.weight"));
        assertEquals(new Shape(10240, 1280), shapes.get("mid_block.attentions.0.transformer_blocks.0.ff.net.0.proj.weight"));
        assertEquals(new Shape(1280, 2560, 3, 3), shapes.get("up_blocks.0.resnets.0.conv1.weight"));
        assertEquals(new Shape(320, 960, 1, 1), shapes.get("up_blocks.3.resnets.0.conv_shortcut.weight"));
        assertEquals(new Shape(1280, 1280, 3, 3), shapes.get("down_blocks.2.downsamplers.0.conv.weight"));
        assertEquals(new Shape(640, 640, 3, 3), shapes.get("up_blocks.2.upsamplers.0.conv.weight"));
        assertEquals(new Shape(1280, 320), shapes.get("time_embedding.linear_1.weight"));
    }

    @Test
    void sdxlBaseLayoutHasTheKnownParameterCount() {
        UNet2DConditionConfig c = UNet2DConditionConfig.fromJson(json(SDXL_BASE));
        assertEquals(List.of(1, 2, 10), c.transformerLayersPerBlock());
        assertEquals(List.of(2048, 2048, 2048), c.crossAttentionDim());
        UNet2DConditionModel model = UNet2DConditionModel.fromConfig(c);
        assertEquals(2_567_463_684L, model.parameterCount());
        Map<String, Shape> shapes = model.namedShapes();
        assertEquals(new Shape(1280, 2816), shapes.get("add_embedding.linear_1.weight"));
        assertEquals(new Shape(1280, 1280), shapes.get("mid_block.attentions.0.proj_in.weight"));
        assertTrue(shapes.containsKey("down_blocks.2.attentions.1.transformer_blocks.9.attn2.to_k.weight"));
        assertTrue(shapes.containsKey("up_blocks.0.attentions.2.transformer_blocks.9.ff.net.2.weight"));
        assertTrue(shapes.containsKey("mid_block.attentions.0.transformer_blocks.9.norm3.bias"));
    }

    @Test
    void goldenConfigsParse() {
        UNet2DConditionConfig sd = UNet2DConditionConfig.fromJson(Golden.config("unet_sd"));
        assertEquals(List.of(8, 8), sd.attentionHeadDim());
        assertEquals(128, sd.timeEmbedDim());
        UNet2DConditionConfig xl = UNet2DConditionConfig.fromJson(Golden.config("unet_sdxl"));
        assertEquals("text_time", xl.additionEmbedType());
        assertEquals(List.of(1, 2), xl.transformerLayersPerBlock());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "class_embed_type|\"timestep\"",
                "num_class_embeds|10",
                "resnet_time_scale_shift|\"scale_shift\"",
                "encoder_hid_dim|768",
                "encoder_hid_dim_type|\"text_proj\"",
                "reverse_transformer_layers_per_block|[[1],[2],[10]]",
                "num_attention_heads|8",
                "addition_embed_type|\"text\"",
                "time_embedding_type|\"fourier\"",
                "mid_block_type|\"UNetMidBlock2DSimpleCrossAttn\"",
                "mid_block_type|null",
                "dual_cross_attention|true",
                "only_cross_attention|true",
                "time_cond_proj_dim|256",
                "attention_type|\"gated\"",
                "class_embeddings_concat|true",
                "resnet_skip_time_act|true",
                "act_fn|\"mish\"",
                "dropout|0.1",
                "transformer_layers_per_block|[[1,1],[2,2],[10,10]]",
                "down_block_types|[\"AttnDownBlock2D\",\"CrossAttnDownBlock2D\",\"CrossAttnDownBlock2D\"]",
                "cross_attention_dim|[2048,2048]",
                "attention_head_dim|[5,10,7]",
                "norm_num_groups|null",
            })
    void unsupportedOptionsAreRejectedNamingKeyAndValue(String key, String value) {
        JsonObject o = json(SDXL_BASE);
        o.add(key, JsonParser.parseString(value));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> UNet2DConditionConfig.fromJson(o));
        assertTrue(e.getMessage().contains(key + "="), e.getMessage());
    }

    @Test
    void sdxlWithoutAddedConditionsIsAClearError() {
        UNet2DConditionModel model = UNet2DConditionModel.fromConfig(UNet2DConditionConfig.fromJson(Golden.config("unet_sdxl")));
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.forward(
                    m.zeros(new Shape(1, 4, 8, 8)), m.create(1f), m.zeros(new Shape(1, 3, 64)), null));
            assertTrue(e.getMessage().contains("text_embeds"), e.getMessage());
        }
    }
}
