package io.github.t2i4j.suti.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.Golden;
import io.github.t2i4j.core.io.CheckpointException;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.models.unet.BlockConditioning;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.tensor.HostArrays;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuTIUNetTest {
    private static final String MID = "mid_block.attentions.0.transformer_blocks.0";
    private static final String MID_FEATURES = "suti.demos.mid_block";
    private static final String LEVEL0_FEATURES = "suti.demos.down_blocks.0";

    private static UNet2DConditionModel base(NDManager m) {
        return UNet2DConditionModel.fromPretrained(TinyBase.dir().resolve("unet"), m);
    }

    /** Sample [2, 4, 8, 8], timesteps, text states [2, 8, 32], demonstration latents [2, 3, 4, 8, 8] and their text [6, 8, 32]. */
    private record Inputs(NDArray sample, NDArray t, NDArray text, NDArray demoLatents, NDArray demoText) {
        static Inputs of(NDManager m) {
            return new Inputs(TestArrays.gaussian(m, 1, 2, 4, 8, 8), HostArrays.owned(m.create(new long[] {10, 500})),
                    TestArrays.gaussian(m, 2, 2, 8, 32), TestArrays.gaussian(m, 3, 2, 3, 4, 8, 8),
                    TestArrays.gaussian(m, 4, 6, 8, 32));
        }
    }

    /** Gives every neighbour layer a random output projection, as training would. */
    private static void open(SuTIUNet suti, NDManager m) {
        long seed = 100;
        for (Map.Entry<String, Parameter> e : suti.neighborParameters().entrySet()) {
            if (e.getKey().contains(".fuser.attn.to_out.0.")) {
                Shape s = e.getValue().getArray().getShape();
                e.getValue().getArray().set(TestArrays.gaussian(m, seed++, s.getShape()).toFloatArray());
            }
        }
    }

    @Test
    void aFreshSuTIUNetPredictsExactlyAsItsBase() {
        for (SuTIConfig.Placement placement : SuTIConfig.Placement.values()) {
            try (NDManager m = NDManager.newBaseManager()) {
                UNet2DConditionModel unet = base(m);
                Inputs in = Inputs.of(m);
                NDArray plain = unet.forward(in.sample(), in.t(), in.text(), null);
                SuTIUNet suti = SuTIUNet.fromBase(unet, SuTIConfig.defaults().withPlacement(placement), 7);
                assertEquals(placement == SuTIConfig.Placement.MID ? List.of(MID)
                        : List.of(MID, "up_blocks.1.attentions.0.transformer_blocks.0", "up_blocks.1.attentions.1.transformer_blocks.0"),
                        List.copyOf(suti.neighborLayers().keySet()));
                assertTrue(unet.namedParameters().containsKey(MID + ".fuser.attn.to_k.weight"));
                DemonstrationFeatures demos = suti.encodeDemonstrations(in.demoLatents(), in.demoText());
                assertEquals(new Shape(2, 3 * 4 * 4, 32), demos.get(MID_FEATURES).getShape());
                if (placement.perLevel()) {
                    // the 8x8 up block reads the 8x8 features of the first down block (width 16)
                    assertEquals(List.of(LEVEL0_FEATURES, MID_FEATURES), List.copyOf(demos.tokens().keySet()));
                    assertEquals(new Shape(2, 3 * 8 * 8, 16), demos.get(LEVEL0_FEATURES).getShape());
                    assertEquals(LEVEL0_FEATURES,
                            suti.neighborLayers().get("up_blocks.1.attentions.0.transformer_blocks.0").tokensKey());
                    assertEquals(new Shape(16, 16), unet.namedParameters()
                            .get("up_blocks.1.attentions.0.transformer_blocks.0.fuser.attn.to_k.weight").getArray().getShape());
                } else {
                    assertEquals(List.of(MID_FEATURES), List.copyOf(demos.tokens().keySet()));
                }
                NDArray withDemos = suti.forward(in.sample(), in.t(), in.text(), demos);
                assertEquals(0.0, Golden.maxAbsDiff(plain, withDemos), 0.0, placement.key());
                assertEquals(0.0, Golden.maxAbsDiff(plain, suti.forward(in.sample(), in.t(), in.text(), null)), 0.0);
                // a second SuTI on the same UNet would attach twice
                assertThrows(IllegalStateException.class, () -> SuTIUNet.fromBase(unet, SuTIConfig.defaults(), 7));
            }
        }
    }

    @Test
    void demonstrationsAreTheUNetEncodersBottleneckMapsFlattenedAndConcatenated() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = base(m);
            Inputs in = Inputs.of(m);
            SuTIUNet suti = SuTIUNet.fromBase(unet, SuTIConfig.defaults(), 7);
            open(suti, m); // the encoder must not use the neighbour layers
            NDArray tokens = suti.encodeDemonstrations(in.demoLatents(), in.demoText()).get(MID_FEATURES);
            for (int b = 0; b < 2; b++) {
                for (int j = 0; j < 3; j++) {
                    NDArray x = in.demoLatents().get(b).get(j).expandDims(0);
                    NDArray text = in.demoText().get(b * 3 + j).expandDims(0);
                    NDArray f = unet.encode(x, HostArrays.owned(m.create(new long[] {0})), BlockConditioning.text(text), null);
                    NDArray expected = f.reshape(32, 16).transpose(); // [h'w', C] row-major
                    NDArray got = tokens.get(new NDIndex("{}, {}:{}, :", b, j * 16, (j + 1) * 16));
                    assertEquals(0.0, Golden.maxAbsDiff(expected, got), 1e-5, "example " + b + " demonstration " + j);
                }
            }
            SuTIUNet at500 = SuTIUNet.fromBase(base(m), SuTIConfig.defaults().withDemoTimestep(500), 7);
            NDArray later = at500.encodeDemonstrations(in.demoLatents(), in.demoText()).get(MID_FEATURES);
            assertTrue(Golden.maxAbsDiff(tokens, later) > 1e-3, "the demonstration timestep is used");
            assertThrows(IllegalArgumentException.class,
                    () -> suti.encodeDemonstrations(in.demoLatents(), in.demoText().get("0:5")));
        }
    }

    @Test
    void aTrainedLayerChangesOnlyTheSamplesWithDemonstrations() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = base(m);
            Inputs in = Inputs.of(m);
            NDArray plain = unet.forward(in.sample(), in.t(), in.text(), null);
            SuTIUNet suti = SuTIUNet.fromBase(unet, SuTIConfig.defaults(), 7);
            open(suti, m);
            DemonstrationFeatures demos = suti.encodeDemonstrations(in.demoLatents(), in.demoText());
            NDArray with = suti.forward(in.sample(), in.t(), in.text(), demos);
            assertTrue(Golden.maxAbsDiff(plain.get(0), with.get(0)) > 1e-4);
            assertTrue(Golden.maxAbsDiff(plain.get(1), with.get(1)) > 1e-4);
            NDArray out = suti.forward(in.sample(), in.t(), in.text(), demos.keepOnly(new boolean[] {true, false}));
            assertEquals(0.0, Golden.maxAbsDiff(plain.get(1), out.get(1)), 1e-6);
            assertEquals(0.0, Golden.maxAbsDiff(with.get(0), out.get(0)), 1e-6);
            DemonstrationFeatures none = demos.none();
            assertEquals(0.0, Golden.maxAbsDiff(plain, suti.forward(in.sample(), in.t(), in.text(), none)), 1e-6);
            assertThrows(IllegalArgumentException.class,
                    () -> suti.forward(in.sample(), in.t(), in.text(),
                            suti.encodeDemonstrations(in.demoLatents().get("0:1"), in.demoText().get("0:3"))));
        }
    }

    @Test
    void savesAndLoadsAsAFolderStrictly(@TempDir Path tmp) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Inputs in = Inputs.of(m);
            SuTIUNet suti = SuTIUNet.fromBase(base(m), SuTIConfig.defaults().withPlacement(SuTIConfig.Placement.MID_AND_UP)
                    .withHeads(2).withDemoTimestep(3), 7);
            open(suti, m);
            DemonstrationFeatures demos = suti.encodeDemonstrations(in.demoLatents(), in.demoText());
            NDArray before = suti.forward(in.sample(), in.t(), in.text(), demos);
            Path dir = tmp.resolve("suti");
            suti.save(dir, null);
            assertTrue(Files.isRegularFile(dir.resolve("config.json")));
            assertTrue(Files.isRegularFile(dir.resolve(SuTIConfig.FILE)));
            try (SafetensorsFile f = SafetensorsFile.open(dir.resolve(UNet2DConditionModel.WEIGHTS_FILE))) {
                assertTrue(f.names().containsAll(suti.neighborParameters().keySet()));
                assertTrue(f.names().contains("conv_in.weight"));
            }
            SuTIUNet back = SuTIUNet.fromPretrained(dir, m);
            assertEquals(suti.config(), back.config());
            DemonstrationFeatures backDemos = back.encodeDemonstrations(in.demoLatents(), in.demoText());
            assertEquals(0.0, Golden.maxAbsDiff(demos.get(MID_FEATURES), backDemos.get(MID_FEATURES)), 0.0);
            assertEquals(0.0, Golden.maxAbsDiff(before, back.forward(in.sample(), in.t(), in.text(), backDemos)), 0.0);

            // strict: the neighbour tensors are no plain UNet's, and a placement without them fails by name
            assertThrows(CheckpointException.class, () -> UNet2DConditionModel.fromPretrained(dir, m));
            SuTIConfig.defaults().withHeads(2).write(dir);
            CheckpointException e = assertThrows(CheckpointException.class, () -> SuTIUNet.fromPretrained(dir, m));
            assertTrue(e.getMessage().contains("up_blocks.1.attentions.0.transformer_blocks.0.fuser"), e.getMessage());
            IllegalArgumentException plain = assertThrows(IllegalArgumentException.class,
                    () -> SuTIUNet.fromPretrained(TinyBase.dir().resolve("unet"), m));
            assertTrue(plain.getMessage().contains(SuTIConfig.FILE), plain.getMessage());
        }
    }

    /** The shipped world model's folder, found from the working directory up. */
    static Path worldLdm() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("models/world-ldm/unet/config.json"))) {
                return p.resolve("models/world-ldm");
            }
        }
        throw new IllegalStateException("models/world-ldm not found");
    }

    @Test
    void theWorldModelTakesNeighbourLayersAtItsBottleneckAndInItsDecoder() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = UNet2DConditionModel.fromPretrained(worldLdm().resolve("unet"), m);
            NDArray sample = TestArrays.gaussian(m, 1, 1, 4, 16, 16);
            NDArray t = HostArrays.owned(m.create(new long[] {400}));
            NDArray text = TestArrays.gaussian(m, 2, 1, 8, 128);
            NDArray plain = unet.forward(sample, t, text, null);
            SuTIUNet suti = SuTIUNet.fromBase(unet, SuTIConfig.defaults().withPlacement(SuTIConfig.Placement.MID_AND_UP), 1);
            assertEquals(List.of(MID, "up_blocks.0.attentions.0.transformer_blocks.0",
                    "up_blocks.0.attentions.1.transformer_blocks.0", "up_blocks.1.attentions.0.transformer_blocks.0",
                    "up_blocks.1.attentions.1.transformer_blocks.0"), List.copyOf(suti.neighborLayers().keySet()));
            // 5 demonstrations: 5 maps of 4x4 at width 128
            NDArray demoLatents = TestArrays.gaussian(m, 3, 1, 5, 4, 16, 16);
            NDArray demoText = TestArrays.gaussian(m, 4, 5, 8, 128);
            DemonstrationFeatures demos = suti.encodeDemonstrations(demoLatents, demoText);
            assertEquals(new Shape(1, 80, 128), demos.get(MID_FEATURES).getShape());
            assertEquals(0.0, Golden.maxAbsDiff(plain, suti.forward(sample, t, text, demos)), 0.0);
        }
    }

    @Test
    void perLevelLayersOfTheWorldModelReadTheDemonstrationsAtTheirOwnResolution() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = UNet2DConditionModel.fromPretrained(worldLdm().resolve("unet"), m);
            SuTIUNet suti = SuTIUNet.fromBase(unet,
                    SuTIConfig.defaults().withPlacement(SuTIConfig.Placement.MID_AND_UP_PER_LEVEL), 1);
            Map<String, String> keys = new java.util.LinkedHashMap<>();
            suti.neighborLayers().forEach((block, layer) -> keys.put(block, layer.tokensKey()));
            // up block 0 runs at 4x4 (the last down block's level), up block 1 at 8x8 (down block 1's)
            assertEquals(Map.of(MID, MID_FEATURES,
                    "up_blocks.0.attentions.0.transformer_blocks.0", "suti.demos.down_blocks.2",
                    "up_blocks.0.attentions.1.transformer_blocks.0", "suti.demos.down_blocks.2",
                    "up_blocks.1.attentions.0.transformer_blocks.0", "suti.demos.down_blocks.1",
                    "up_blocks.1.attentions.1.transformer_blocks.0", "suti.demos.down_blocks.1"), keys);
            NDArray demoLatents = TestArrays.gaussian(m, 3, 2, 5, 4, 16, 16);
            NDArray demoText = TestArrays.gaussian(m, 4, 10, 8, 128);
            DemonstrationFeatures demos = suti.encodeDemonstrations(demoLatents, demoText);
            assertEquals(new Shape(2, 5 * 8 * 8, 128), demos.get("suti.demos.down_blocks.1").getShape());
            assertEquals(new Shape(2, 5 * 4 * 4, 128), demos.get("suti.demos.down_blocks.2").getShape());
            // demonstration j of example b is the encoder's level-1 map, flattened row-major
            NDList levels = unet.encodeLevels(demoLatents.get(1).get("2:3"),
                    HostArrays.owned(m.create(new long[] {0})), BlockConditioning.text(demoText.get("7:8")), null);
            NDArray expected = levels.get(1).reshape(128, 64).transpose();
            NDArray got = demos.get("suti.demos.down_blocks.1").get(new NDIndex("1, 128:192, :"));
            assertEquals(0.0, Golden.maxAbsDiff(expected, got), 1e-5);
        }
    }

    @Test
    void configRoundTripsThroughJsonAndRefusesBadValues() {
        SuTIConfig c = new SuTIConfig(SuTIConfig.Placement.MID_AND_UP, 8, 250);
        assertEquals(c, SuTIConfig.fromJson(c.toJson()));
        assertEquals("mid_and_up", c.toJson().get("neighbor_placement").getAsString());
        assertThrows(IllegalArgumentException.class, () -> SuTIConfig.Placement.of("down"));
        assertThrows(IllegalArgumentException.class, () -> new SuTIConfig(SuTIConfig.Placement.MID, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new SuTIConfig(SuTIConfig.Placement.MID, 4, -1));
        try (NDManager m = NDManager.newBaseManager()) {
            // 32 is no multiple of 5 heads
            assertThrows(IllegalArgumentException.class, () -> SuTIUNet.fromBase(base(m), SuTIConfig.defaults().withHeads(5), 0));
        }
    }
}
