package io.github.t2i4j.core.models.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.t2i4j.core.Golden;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.io.StateDict;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** diffusers 0.25.1 reference outputs for tiny SD-1.x and SDXL layouts. */
class UNet2DConditionModelGoldenTest {
    private static final Logger LOG = LoggerFactory.getLogger(UNet2DConditionModelGoldenTest.class);
    private static final double TOL = 1e-4;

    private static UNet2DConditionModel load(String name, NDManager m) {
        Path dir = Golden.dir(name);
        UNet2DConditionModel model =
                new UNet2DConditionModel(UNet2DConditionConfig.fromJson(dir.resolve("config.json")));
        try (SafetensorsFile w = SafetensorsFile.open(dir.resolve("weights.safetensors"))) {
            assertEquals(new TreeSet<>(w.names()), new TreeSet<>(model.namedParameters().keySet()),
                    "parameter names equal diffusers' state dict");
            StateDict.loadFresh(model, w, m, DataType.FLOAT32);
        }
        return model;
    }

    @Test
    void stableDiffusionLayout() {
        try (NDManager m = NDManager.newBaseManager();
                SafetensorsFile io = SafetensorsFile.open(Golden.dir("unet_sd").resolve("io.safetensors"))) {
            UNet2DConditionModel model = load("unet_sd", m);
            NDArray out = model.forward(
                    io.load("sample", m), io.load("timestep", m), io.load("encoder_hidden_states", m), null);
            double err = Golden.maxAbsDiff(io.load("out", m), out);
            LOG.info("unet_sd max abs error {}", err);
            assertTrue(err <= TOL, "unet_sd: max abs error " + err);
        }
    }

    @Test
    void sdxlLayout() {
        try (NDManager m = NDManager.newBaseManager();
                SafetensorsFile io = SafetensorsFile.open(Golden.dir("unet_sdxl").resolve("io.safetensors"))) {
            UNet2DConditionModel model = load("unet_sdxl", m);
            NDArray out = model.forward(
                    io.load("sample", m), io.load("timestep", m), io.load("encoder_hidden_states", m),
                    new AddedCond(io.load("text_embeds", m), io.load("time_ids", m)));
            double err = Golden.maxAbsDiff(io.load("out", m), out);
            LOG.info("unet_sdxl max abs error {}", err);
            assertTrue(err <= TOL, "unet_sdxl: max abs error " + err);

            // the generic DJL Block entry point gives the same result
            NDList viaBlock = model.forward(null, new NDList(
                    io.load("sample", m), io.load("timestep", m), io.load("encoder_hidden_states", m),
                    io.load("text_embeds", m), io.load("time_ids", m)), false);
            assertEquals(0.0, Golden.maxAbsDiff(out, viaBlock.singletonOrThrow()), 0.0);
        }
    }

    @Test
    void scalarTimestepIsBroadcastToTheBatch() {
        try (NDManager m = NDManager.newBaseManager();
                SafetensorsFile io = SafetensorsFile.open(Golden.dir("unet_sd").resolve("io.safetensors"))) {
            UNet2DConditionModel model = load("unet_sd", m);
            NDArray sample = io.load("sample", m);
            NDArray ctx = io.load("encoder_hidden_states", m);
            NDArray perSample = model.forward(sample, m.create(new long[] {500, 500}), ctx, null);
            NDArray scalar = model.forward(sample, m.create(500f), ctx, null);
            assertTrue(Golden.maxAbsDiff(perSample, scalar) < 1e-6);
        }
    }

    @Test
    void oddLatentSizesUpsampleToTheSkipSize() {
        // 2 levels: one x2 upsampler; 15x17 is not a multiple of 2 (diffusers' forward_upsample_size)
        try (NDManager m = NDManager.newBaseManager()) {
            UNet2DConditionModel model = load("unet_sd", m);
            NDArray sample = m.randomNormal(new ai.djl.ndarray.types.Shape(1, 4, 15, 17));
            NDArray ctx = m.randomNormal(new ai.djl.ndarray.types.Shape(1, 7, 32));
            NDArray out = model.forward(sample, m.create(new long[] {10}), ctx, null);
            assertEquals(sample.getShape(), out.getShape());
        }
    }

    @Test
    void goldenInputsAreWhatTheReadmeSays() {
        try (SafetensorsFile io = SafetensorsFile.open(Golden.dir("unet_sdxl").resolve("io.safetensors"))) {
            assertEquals(Set.of("sample", "timestep", "encoder_hidden_states", "text_embeds", "time_ids", "out"),
                    io.names());
        }
    }
}
