package io.github.t2i4j.core.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.t2i4j.core.Golden;
import io.github.t2i4j.core.io.CheckpointException;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.io.StateDict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The CLIP text encoders against transformers' outputs on tiny random configurations. */
class CLIPTextModelGoldenTest {
    private static final Logger LOG = LoggerFactory.getLogger(CLIPTextModelGoldenTest.class);
    private static final double TOL = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {"clip_text_quickgelu", "clip_text_gelu"})
    void reproducesTransformers(String name) {
        Path dir = Golden.dir(name);
        CLIPTextConfig config = CLIPTextConfig.fromJson(dir.resolve("config.json"));
        try (NDManager m = NDManager.newBaseManager();
                SafetensorsFile weights = SafetensorsFile.open(dir.resolve("weights.safetensors"));
                SafetensorsFile io = SafetensorsFile.open(dir.resolve("io.safetensors"))) {
            CLIPTextModelWithProjection model = new CLIPTextModelWithProjection(config);
            StateDict.loadFresh(model, weights, m, DataType.FLOAT32);
            CLIPTextModelOutput out = model.forward(io.load("input_ids", m));

            assertEquals(config.numHiddenLayers() + 1, out.hiddenStates().size());
            check(name, "last_hidden_state", io.load("last_hidden_state", m), out.lastHiddenState());
            check(name, "penultimate_hidden_state", io.load("penultimate_hidden_state", m),
                    out.penultimateHiddenState());
            check(name, "pooler_output", io.load("pooler_output", m), out.poolerOutput());
            check(name, "text_embeds", io.load("text_embeds", m), out.textEmbeds());
        }
    }

    /** Half precision (as on a GPU) runs, with the fp16 mask value, to fp16 accuracy. */
    @ParameterizedTest
    @ValueSource(strings = {"clip_text_gelu"})
    void runsInFloat16(String name) {
        Path dir = Golden.dir(name);
        try (NDManager m = NDManager.newBaseManager();
                SafetensorsFile weights = SafetensorsFile.open(dir.resolve("weights.safetensors"));
                SafetensorsFile io = SafetensorsFile.open(dir.resolve("io.safetensors"))) {
            CLIPTextModelWithProjection model =
                    new CLIPTextModelWithProjection(CLIPTextConfig.fromJson(dir.resolve("config.json")));
            StateDict.loadFresh(model, weights, m, DataType.FLOAT16);
            CLIPTextModelOutput out = model.forward(io.load("input_ids", m));
            assertEquals(DataType.FLOAT16, out.lastHiddenState().getDataType());
            Golden.assertClose("fp16 last_hidden_state", io.load("last_hidden_state", m), out.lastHiddenState(), 2e-2);
            Golden.assertClose("fp16 text_embeds", io.load("text_embeds", m), out.textEmbeds(), 2e-2);
        }
    }

    private static void check(String name, String what, NDArray expected, NDArray actual) {
        double err = Golden.maxAbsDiff(expected, actual);
        LOG.info("{} {}: max abs error {}", name, what, err);
        assertTrue(err <= TOL, name + " " + what + ": max abs error " + err + " > " + TOL);
    }

    /** The same weights as a diffusers/transformers folder (config.json + model.safetensors). */
    private static Path asPretrainedFolder(String name, Path tmp) throws IOException {
        Path dir = Golden.dir(name);
        Files.copy(dir.resolve("config.json"), tmp.resolve("config.json"));
        Files.copy(dir.resolve("weights.safetensors"), tmp.resolve("model.safetensors"));
        return tmp;
    }

    @ParameterizedTest
    @ValueSource(strings = {"clip_text_quickgelu"})
    void fromPretrainedLoadsAFolder(String name, @TempDir Path tmp) throws IOException {
        Path folder = asPretrainedFolder(name, tmp);
        try (NDManager m = NDManager.newBaseManager();
                SafetensorsFile io = SafetensorsFile.open(Golden.dir(name).resolve("io.safetensors"))) {
            CLIPTextModelWithProjection withProj = CLIPTextModelWithProjection.fromPretrained(folder, m);
            NDArray ids = io.load("input_ids", m);
            Golden.assertClose("text_embeds", io.load("text_embeds", m), withProj.forward(ids).textEmbeds(), TOL);

            // strict: the projection checkpoint does not fit a plain CLIPTextModel ...
            CheckpointException e =
                    assertThrows(CheckpointException.class, () -> CLIPTextModel.fromPretrained(folder, m));
            assertTrue(e.getMessage().contains("text_projection.weight"), e.getMessage());
            // ... unless asked to drop the projection
            CLIPTextModel plain = CLIPTextModel.fromPretrained(folder, m, DataType.FLOAT32, true);
            CLIPTextModelOutput out = plain.forward(ids);
            assertNull(out.textEmbeds());
            Golden.assertClose("last_hidden_state", io.load("last_hidden_state", m), out.lastHiddenState(), TOL);
            Golden.assertClose("pooler_output", io.load("pooler_output", m), out.poolerOutput(), TOL);
        }
    }

    /** The test tokenizer's ids fit the golden encoders: prompt in, conditioning out. */
    @ParameterizedTest
    @ValueSource(strings = {"clip_text_quickgelu", "clip_text_gelu"})
    void tokenizerFeedsTheEncoder(String name) {
        Path dir = Golden.dir(name);
        CLIPTextConfig config = CLIPTextConfig.fromJson(dir.resolve("config.json"));
        try (NDManager m = NDManager.newBaseManager();
                SafetensorsFile weights = SafetensorsFile.open(dir.resolve("weights.safetensors"));
                CLIPTokenizer tokenizer = CLIPTokenizer.fromPretrained(CLIPTokenizerTest.resource("tiny-clip-tokenizer"))) {
            CLIPTextModelWithProjection model = new CLIPTextModelWithProjection(config);
            StateDict.loadFresh(model, weights, m, DataType.FLOAT32);
            assertEquals(config.bosTokenId(), tokenizer.bosTokenId());
            assertEquals(config.eosTokenId(), tokenizer.eosTokenId());
            assertEquals(config.maxPositionEmbeddings(), tokenizer.modelMaxLength());
            BatchEncoding enc = tokenizer.encode(java.util.List.of("a red cat", "a blue square left of a green circle"));
            CLIPTextModelOutput out = model.forward(enc.inputIds(m), enc.attentionMask(m));
            assertEquals(new ai.djl.ndarray.types.Shape(2, 16, config.hiddenSize()), out.lastHiddenState().getShape());
            assertEquals(new ai.djl.ndarray.types.Shape(2, config.projectionDim()), out.textEmbeds().getShape());
            // pooled at each prompt's EOS: after BOS + 3 and BOS + 8 tokens
            Golden.assertClose("pool 0", out.lastHiddenState().get("0, 4, :"), out.poolerOutput().get(0), 0);
            Golden.assertClose("pool 1", out.lastHiddenState().get("1, 9, :"), out.poolerOutput().get(1), 0);
            // with EOS padding, the mask changes nothing up to EOS (the causal mask hides what follows)
            CLIPTextModelOutput unmasked = model.forward(enc.inputIds(m));
            Golden.assertClose("pooled, unmasked", unmasked.poolerOutput(), out.poolerOutput(), 1e-6);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"clip_text_gelu"})
    void aBrokenShardIndexIsAClearError(String name, @TempDir Path tmp) throws IOException {
        Files.copy(Golden.dir(name).resolve("config.json"), tmp.resolve("config.json"));
        Files.writeString(tmp.resolve("model.safetensors.index.json"), "{}");
        try (NDManager m = NDManager.newBaseManager()) {
            CheckpointException e = assertThrows(
                    CheckpointException.class, () -> CLIPTextModelWithProjection.fromPretrained(tmp, m));
            assertTrue(e.getMessage().contains("weight_map") && e.getMessage().contains(tmp.toString()), e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"clip_text_gelu"})
    void aShardedTextEncoderLoads(String name, @TempDir Path tmp) throws IOException {
        Files.copy(Golden.dir(name).resolve("config.json"), tmp.resolve("config.json"));
        try (NDManager m = NDManager.newBaseManager();
                io.github.t2i4j.core.io.SafetensorsFile golden =
                        io.github.t2i4j.core.io.SafetensorsFile.open(Golden.dir(name).resolve("weights.safetensors"))) {
            java.util.Map<String, java.util.Map<String, ai.djl.ndarray.NDArray>> shards = new java.util.TreeMap<>();
            com.google.gson.JsonObject weightMap = new com.google.gson.JsonObject();
            int i = 0;
            for (String n : golden.names()) {
                String shard = "model-0000" + (1 + i++ % 2) + "-of-00002.safetensors";
                shards.computeIfAbsent(shard, k -> new java.util.LinkedHashMap<>()).put(n, golden.load(n, m));
                weightMap.addProperty(n, shard);
            }
            for (var e : shards.entrySet()) {
                io.github.t2i4j.core.io.SafetensorsWriter.save(e.getValue(), tmp.resolve(e.getKey()));
            }
            com.google.gson.JsonObject index = new com.google.gson.JsonObject();
            index.add("metadata", new com.google.gson.JsonObject());
            index.add("weight_map", weightMap);
            Files.writeString(tmp.resolve("model.safetensors.index.json"), index.toString());
            CLIPTextModelWithProjection sharded = CLIPTextModelWithProjection.fromPretrained(tmp, m);
            CLIPTextModelWithProjection single = new CLIPTextModelWithProjection(CLIPTextConfig.fromJson(tmp.resolve("config.json")));
            io.github.t2i4j.core.io.StateDict.loadFresh(single, golden, m, ai.djl.ndarray.types.DataType.FLOAT32);
            ai.djl.ndarray.NDArray ids = m.create(new long[] {998, 5, 6, 999}).reshape(1, 4);
            Golden.assertClose("sharded vs single", single.forward(ids).textEmbeds(), sharded.forward(ids).textEmbeds(), 0);
        }
    }
}
