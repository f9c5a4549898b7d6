package io.github.t2i4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.t2i4j.core.Golden;
import io.github.t2i4j.core.image.Images;
import io.github.t2i4j.examples.T2i4jCli;
import io.github.t2i4j.examples.TinyPipelines;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code t2i4j} program as a user runs it: help, self-check, generation and a small benchmark. */
class CommandLineTest {
    @TempDir Path tmp;

    private static Path tokenizer() {
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path t = p.resolve("core/src/test/resources/tiny-clip-tokenizer");
            if (Files.isDirectory(t)) {
                return t;
            }
        }
        throw new IllegalStateException("tiny tokenizer not found");
    }

    /** {@code relative} (a file) under the nearest ancestor of the working folder that has it. */
    private static Path nearest(String relative) {
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(relative))) {
                return p.resolve(relative);
            }
        }
        throw new AssertionError(relative + " not found above " + Paths.get("").toAbsolutePath());
    }

    private static int run(StringWriter out, String... args) {
        CommandLine cli = T2i4jCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        return cli.execute(args);
    }

    @Test
    void everySubcommandHasHelp() {
        for (String[] cmd : new String[][] {
            {"--help"}, {"generate", "--help"}, {"selfcheck", "--help"}, {"benchmark", "--help"}, {"benchmark", "unet", "--help"}, {"benchmark", "generate", "--help"}, {"benchmark", "star", "--help"}, {"benchmark", "cost", "--help"},
            {"evaluate", "--help"}, {"train", "--help"}, {"train", "clip", "--help"}, {"train", "vae", "--help"},
            {"train", "unet", "--help"}, {"train", "star-tokenizer", "--help"}, {"train", "star", "--help"},
            {"train", "gligen", "--help"},
            {"world-export", "--help"}, {"vae-ceiling", "--help"}
        }) {
            StringWriter out = new StringWriter();
            assertEquals(0, run(out, cmd), String.join(" ", cmd));
            assertTrue(out.toString().contains("Usage:"), out.toString());
        }
        StringWriter out = new StringWriter();
        assertNotEquals(0, run(out, "generate", "--model", "m", "--prompt", "p", "--no-such-option"));
        assertTrue(out.toString().contains("--no-such-option"), out.toString());
    }

    @Test
    void selfCheckPassesAndWritesAnImage() {
        Path png = tmp.resolve("selfcheck.png");
        int rc = run(new StringWriter(), "selfcheck", "--golden", Golden.root().toString(),
                "--tokenizer", tokenizer().toString(), "--out", png.toString());
        assertEquals(0, rc);
        assertTrue(Files.isRegularFile(png));
    }

    @Test
    void generateWritesAGridForSeveralImages() {
        Path dir = TinyPipelines.stableDiffusion(Golden.root(), tokenizer(), tmp.resolve("sd"));
        Path png = tmp.resolve("grid.png");
        int rc = run(new StringWriter(), "generate", "--model", dir.toString(), "--prompt", "a red circle",
                "--steps", "3", "--num-images", "4", "--scheduler", "euler", "--out", png.toString());
        assertEquals(0, rc);
        BufferedImage grid = Images.read(png);
        assertTrue(grid.getWidth() > 2 * 64 && grid.getHeight() > 2 * 64, grid.getWidth() + "x" + grid.getHeight());
    }

    @Test
    void generateRejectsABadSizeWithoutWritingAnything() {
        Path dir = TinyPipelines.stableDiffusion(Golden.root(), tokenizer(), tmp.resolve("sd"));
        Path png = tmp.resolve("bad.png");
        int rc = run(new StringWriter(), "generate", "--model", dir.toString(), "--prompt", "a red circle",
                "--width", "65", "--out", png.toString());
        assertNotEquals(0, rc);
        assertTrue(Files.notExists(png));
    }

    @Test
    void evaluateWritesAReportFolder() throws Exception {
        Path report = tmp.resolve("report");
        int rc = run(new StringWriter(), "evaluate", "--model", "reference", "--clip", "none", "--per-category", "6",
                "--categories", "color,Spatial", "--out", report.toString());
        assertEquals(0, rc, "category names are accepted in any case");
        JsonObject metrics = JsonParser.parseString(Files.readString(report.resolve("metrics.json"))).getAsJsonObject();
        assertEquals(1.0, metrics.getAsJsonObject("categories").get("color").getAsDouble(), 1e-9);
        assertEquals(12, metrics.get("images").getAsInt());
        assertTrue(Files.isRegularFile(report.resolve("report.md")));
        assertTrue(Files.isRegularFile(report.resolve("grid-spatial.png")));
        assertEquals(12, Files.readAllLines(report.resolve("evaluations.jsonl")).size());
    }

    @Test
    void worldExportWritesImagesAndCaptions() throws Exception {
        Path dir = tmp.resolve("world");
        assertEquals(0, run(new StringWriter(), "world-export", "--out", dir.toString(), "-n", "5"));
        assertEquals(5, Files.readAllLines(dir.resolve("captions.jsonl")).size());
        try (var files = Files.list(dir)) {
            assertEquals(5, files.filter(f -> f.toString().endsWith(".png")).count());
        }
    }

    @Test
    void unetBenchmarkWritesJson() throws Exception {
        Path json = tmp.resolve("bench.json");
        int rc = run(new StringWriter(), "benchmark", "unet", "--config",
                Golden.dir("unet_sd").resolve("config.json").toString(), "--latent", "16", "--tokens", "7",
                "--batch", "1,2", "--repeats", "1", "--matmul-size", "256", "--out", json.toString());
        assertEquals(0, rc);
        JsonObject report = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertTrue(report.get("matmul_gflops").getAsDouble() > 0);
        assertEquals(2, report.getAsJsonArray("runs").size());
        JsonObject run = report.getAsJsonArray("runs").get(1).getAsJsonObject();
        assertEquals(2, run.get("batch").getAsInt());
        assertTrue(run.get("gflop").getAsDouble() > 0);
        assertTrue(run.get("ratio_to_matmul_ceiling").getAsDouble() > 0);
    }

    @Test
    void generateBenchmarkBreaksTheTimeDown() throws Exception {
        Path dir = TinyPipelines.stableDiffusion(Golden.root(), tokenizer(), tmp.resolve("sd"));
        Path json = tmp.resolve("bench-generate.json");
        int rc = run(new StringWriter(), "benchmark", "generate", "--model", dir.toString(), "--steps", "3",
                "--repeats", "2", "--out", json.toString());
        assertEquals(0, rc);
        JsonObject report = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(2, report.get("unet_batch").getAsInt());
        assertTrue(report.get("seconds_per_image").getAsDouble() > 0);
        assertTrue(report.get("unet_gflop_per_forward").getAsDouble() > 0);
        JsonObject parts = report.getAsJsonObject("breakdown_seconds");
        for (String k : new String[] {"text_encoder", "unet", "denoise_loop_other", "vae_decoder", "to_images"}) {
            assertTrue(parts.has(k), k);
        }
        assertTrue(parts.get("unet").getAsDouble() > 0);
        assertTrue(report.getAsJsonObject("matmul_ceiling_at_unet_size").get("gflops").getAsDouble() > 0);
    }

    @Test
    void costBenchmarkSetsModelsAgainstTheFirstInOneRun() throws Exception {
        Path sd = TinyPipelines.stableDiffusion(Golden.root(), tokenizer(), tmp.resolve("sd"));
        Path star = TinyPipelines.star(tmp.resolve("star"));
        Path json = tmp.resolve("bench-cost.json");
        int rc = run(new StringWriter(), "benchmark", "cost", "--model", sd.toString(), "--model", star.toString(),
                "--steps", "2", "--num-images", "3", "--repeats", "2", "--out", json.toString());
        assertEquals(0, rc);
        JsonObject report = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(3, report.get("images_per_call").getAsInt());
        JsonArray rows = report.getAsJsonArray("models");
        assertEquals(2, rows.size());
        assertEquals(1.0, rows.get(0).getAsJsonObject().get("ratio_to_first").getAsDouble());
        JsonObject second = rows.get(1).getAsJsonObject();
        assertTrue(second.get("seconds_per_image_median").getAsDouble() > 0);
        assertEquals(second.get("seconds_per_image_median").getAsDouble()
                        / rows.get(0).getAsJsonObject().get("seconds_per_image_median").getAsDouble(),
                second.get("ratio_to_first").getAsDouble(), 1e-12);
        StringWriter err = new StringWriter();
        assertNotEquals(0, run(err, "benchmark", "cost", "--model", sd.toString(), "--out", json.toString()));
        assertTrue(err.toString().contains("at least twice"), err.toString());
    }

    @Test
    void starBenchmarkTimesStarWithAndWithoutItsCacheAgainstDiffusion() throws Exception {
        Path star = TinyPipelines.star(tmp.resolve("star"));
        Path sd = TinyPipelines.stableDiffusion(Golden.root(), tokenizer(), tmp.resolve("sd"));
        Path json = tmp.resolve("bench-star.json");
        int rc = run(new StringWriter(), "benchmark", "star", "--model", star.toString(), "--diffusion", sd.toString(),
                "--steps", "2", "--repeats", "1", "--out", json.toString());
        assertEquals(0, rc);
        JsonObject report = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        for (String k : new String[] {"star_seconds_per_image", "star_without_kv_cache_seconds_per_image",
                "diffusion_seconds_per_image", "star_gflop_per_call", "matmul_ceiling_2048_gflops"}) {
            assertTrue(report.get(k).getAsDouble() > 0, k + " in " + report);
        }
        assertEquals(report.get("diffusion_seconds_per_image").getAsDouble() / report.get("star_seconds_per_image").getAsDouble(),
                report.get("star_speedup_over_diffusion").getAsDouble(), 1e-9);
        assertNotEquals(0, run(new StringWriter(), "benchmark", "star", "--model", sd.toString(), "--diffusion", sd.toString(),
                "--out", tmp.resolve("no.json").toString()), "a diffusion folder is not a STAR model");
        assertTrue(Files.notExists(tmp.resolve("no.json")));
    }

    @Test
    void trainStarRefusesAnEmptyTokenCacheBeforeWritingAnything() {
        StringWriter out = new StringWriter();
        int rc = run(out, "train", "star", "--token-cache", "0", "--tokenizer", tmp.resolve("tok").toString(),
                "--transformer-out", tmp.resolve("transformer").toString(), "--work", tmp.resolve("work").toString(),
                "--out", tmp.resolve("model").toString());
        assertNotEquals(0, rc);
        assertTrue(out.toString().contains("tokenCacheSize"), out.toString());
        assertTrue(Files.notExists(tmp.resolve("transformer")) && Files.notExists(tmp.resolve("work")));
    }

    @Test
    void trainingCommandsApplyTheLearningRateAndWarmUpOptions() {
        StringWriter out = new StringWriter();
        assertNotEquals(0, run(out, "train", "star", "--warmup-steps", "-5", "--tokenizer", tmp.resolve("tok").toString(),
                "--transformer-out", tmp.resolve("t").toString(), "--work", tmp.resolve("w").toString()));
        assertTrue(out.toString().contains("warmupSteps must be >= 0"), out.toString());
        out = new StringWriter();
        assertNotEquals(0, run(out, "train", "unet", "--learning-rate", "-1", "--vae", tmp.resolve("vae").toString(),
                "--unet-out", tmp.resolve("u").toString(), "--work", tmp.resolve("w").toString()));
        assertTrue(out.toString().contains("learningRate must be finite and >= 0"), out.toString());
        assertTrue(Files.notExists(tmp.resolve("t")) && Files.notExists(tmp.resolve("u")) && Files.notExists(tmp.resolve("w")));
    }

    @Test
    void generateTakesASuTIFolderWithDemonstrations() throws Exception {
        Path sd = TinyPipelines.stableDiffusion(Golden.root(), tokenizer(), tmp.resolve("sd"));
        Path suti = tmp.resolve("suti");
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            io.github.t2i4j.core.models.unet.UNet2DConditionModel unet =
                    io.github.t2i4j.core.models.unet.UNet2DConditionModel.fromPretrained(sd.resolve("unet"), m);
            io.github.t2i4j.suti.model.SuTIUNet.fromBase(unet, io.github.t2i4j.suti.model.SuTIConfig.defaults(), 1)
                    .save(suti.resolve(io.github.t2i4j.suti.model.SuTIPipeline.UNET), null);
        }
        io.github.t2i4j.suti.model.SuTIPipeline.writeIndex(suti, sd,
                io.github.t2i4j.suti.model.InterleavedGuidance.defaults());
        io.github.t2i4j.suti.subjects.SubjectRenderer renderer = new io.github.t2i4j.suti.subjects.SubjectRenderer(64, 64);
        java.util.List<io.github.t2i4j.suti.subjects.Demonstration> shown = new io.github.t2i4j.suti.subjects.Demonstrations(
                renderer).sample(io.github.t2i4j.suti.subjects.SubjectCatalog.load().heldOut().get(0), 3,
                new java.util.SplittableRandom(1));
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("generate", "--model", suti.toString(),
                "--prompt", "show the circle large and at the top right", "--steps", "3", "--num-images", "2"));
        for (int i = 0; i < shown.size(); i++) {
            Path png = tmp.resolve("demo" + i + ".png");
            Images.writePng(shown.get(i).image(), png);
            args.addAll(java.util.List.of("--demo", png.toString(), "--demo-caption", shown.get(i).caption()));
        }
        Path a = tmp.resolve("suti-a.png");
        Path b = tmp.resolve("suti-b.png");
        java.util.List<String> runA = new java.util.ArrayList<>(args);
        runA.addAll(java.util.List.of("--out", a.toString()));
        java.util.List<String> runB = new java.util.ArrayList<>(args);
        runB.addAll(java.util.List.of("--out", b.toString()));
        StringWriter log = new StringWriter();
        assertEquals(0, run(log, runA.toArray(String[]::new)), log.toString());
        assertEquals(0, run(new StringWriter(), runB.toArray(String[]::new)));
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b)), "the same seed, the same pixels");
        BufferedImage grid = Images.read(a);
        assertTrue(grid.getWidth() > 2 * 64, grid.getWidth() + "x" + grid.getHeight());

        String demo = tmp.resolve("demo0.png").toString();
        String[][] bad = {
            {"one --demo-caption per --demo", "generate", "--model", suti.toString(), "--prompt", "p", "--demo", demo,
                "--demo-caption", "a", "--demo-caption", "b"},
            {"SuTI needs 1 to 5 --demo images", "generate", "--model", suti.toString(), "--prompt", "p"},
            {"are for SuTI models", "generate", "--model", sd.toString(), "--prompt", "p", "--demo", demo},
            {"is not a file", "generate", "--model", suti.toString(), "--prompt", "p", "--demo",
                tmp.resolve("nowhere.png").toString()},
        };
        for (String[] c : bad) {
            Path png = tmp.resolve("bad-suti.png");
            String[] runArgs = java.util.Arrays.copyOfRange(c, 1, c.length + 2);
            runArgs[c.length - 1] = "--out";
            runArgs[c.length] = png.toString();
            StringWriter out = new StringWriter();
            assertEquals(2, run(out, runArgs), String.join(" ", runArgs));
            assertTrue(out.toString().contains(c[0]), out.toString());
            assertTrue(Files.notExists(png));
        }
    }

    @Test
    void generateRefusesAFolderThatIsNoModel() throws Exception {
        Path notAModel = Files.createDirectories(tmp.resolve("sources"));
        StringWriter out = new StringWriter();
        assertNotEquals(0, run(out, "generate", "--model", notAModel.toString(), "--prompt", "a red circle",
                "--out", tmp.resolve("y.png").toString()));
        assertTrue(out.toString().contains("without model_index.json"), out.toString());
        assertTrue(Files.notExists(tmp.resolve("y.png")));
    }

    @Test
    void generateFromAMissingModelFailsWithoutWriting() {
        StringWriter out = new StringWriter();
        int rc = run(out, "generate", "--model", tmp.resolve("nowhere").toString(), "--prompt", "a red circle",
                "--out", tmp.resolve("x.png").toString());
        assertNotEquals(0, rc);
        assertTrue(Files.notExists(tmp.resolve("x.png")));
    }

    @Test
    void generateAndEvaluateTakeAStarFolder() throws Exception {
        Path dir = TinyPipelines.star(tmp.resolve("star"));
        Path png = tmp.resolve("star.png");
        assertEquals(0, run(new StringWriter(), "generate", "--model", dir.toString(), "--prompt", "a red circle",
                "--num-images", "4", "--top-k", "8", "--out", png.toString()));
        BufferedImage grid = Images.read(png);
        assertTrue(grid.getWidth() > 2 * 32 && grid.getHeight() > 2 * 32, grid.getWidth() + "x" + grid.getHeight());
        // the same seed gives the same pixels
        Path again = tmp.resolve("again.png");
        assertEquals(0, run(new StringWriter(), "generate", "--model", dir.toString(), "--prompt", "a red circle",
                "--num-images", "4", "--top-k", "8", "--out", again.toString()));
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(png), Files.readAllBytes(again)));
        // diffusion-only options are refused before anything is written
        StringWriter out = new StringWriter();
        Path bad = tmp.resolve("bad.png");
        assertNotEquals(0, run(out, "generate", "--model", dir.toString(), "--prompt", "a red circle", "--steps", "5",
                "--out", bad.toString()));
        assertTrue(out.toString().contains("STAR"), out.toString());
        assertTrue(Files.notExists(bad));

        Path report = tmp.resolve("star-report");
        StringWriter log = new StringWriter();
        assertEquals(0, run(log, "evaluate", "--model", dir.toString(), "--clip", "none",
                "--per-category", "2", "--categories", "SINGLE", "--out", report.toString()), log.toString());
        JsonObject metrics = JsonParser.parseString(Files.readString(report.resolve("metrics.json"))).getAsJsonObject();
        assertEquals(2, metrics.get("images").getAsInt());
        assertTrue(metrics.get("generator").getAsString().contains("STAR"), metrics.toString());
    }

    @Test
    void evaluateTakesThePlannedGalleryMember() throws Exception {
        Path dir = TinyPipelines.stableDiffusion(Golden.root(), tokenizer(), tmp.resolve("sd"));
        Path report = tmp.resolve("planned-report");
        StringWriter log = new StringWriter();
        assertEquals(0, run(log, "evaluate", "--model", "planned:" + dir, "--clip", "none", "--steps", "2",
                "--per-category", "2", "--categories", "SPATIAL", "--out", report.toString()), log.toString());
        JsonObject metrics = JsonParser.parseString(Files.readString(report.resolve("metrics.json"))).getAsJsonObject();
        assertEquals(2, metrics.get("images").getAsInt());
        assertTrue(metrics.get("generator").getAsString().startsWith("planned"), metrics.toString());
    }

    @Test
    void vaeCeilingJudgesReconstructions() throws Exception {
        Path json = tmp.resolve("ceiling.json");
        StringWriter log = new StringWriter();
        assertEquals(0, run(log, "vae-ceiling", "--vae", Golden.dir("vae").toString(), "--weights",
                Golden.dir("vae").resolve("weights.safetensors").toString(), "--per-category", "2",
                "--categories", "COLOR,SINGLE", "--out", json.toString()), log.toString());
        JsonObject rates = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(2, rates.size());
        double single = rates.get("single").getAsDouble();
        assertTrue(single >= 0 && single <= 1, rates.toString());
    }

    @Test
    void vaeCeilingJudgesAStarTokenizerToo() throws Exception {
        Path tokenizer = nearest("models/star/vq_tokenizer/config.json").getParent();
        Path json = tmp.resolve("star-ceiling.json");
        StringWriter log = new StringWriter();
        assertEquals(0, run(log, "vae-ceiling", "--vq-tokenizer", tokenizer.toString(), "--per-category", "3",
                "--categories", "single", "--out", json.toString()), log.toString());
        assertEquals(1, JsonParser.parseString(Files.readString(json)).getAsJsonObject().size());
        assertEquals(2, run(new StringWriter(), "vae-ceiling", "--per-category", "3"), "neither --vae nor --vq-tokenizer");
        assertEquals(2, run(new StringWriter(), "vae-ceiling", "--vq-tokenizer", tokenizer.toString(), "--vae",
                tokenizer.toString()), "both");
    }

    @Test
    void itercompGalleryComparesItsMembers() throws Exception {
        // the shipped world-ldm, about 4 times faster than the tiny golden pipeline: by its folder and by its name
        Path dir = nearest("models/world-ldm/model_index.json").getParent();
        Path out = tmp.resolve("gallery");
        StringWriter log = new StringWriter();
        assertEquals(0, run(log, "itercomp", "gallery", "--member", "a=" + dir, "--member", "b=planned:world-ldm",
                "--per-category", "2", "--categories", "SINGLE,SPATIAL", "--clip", "none", "--steps", "2",
                "--out", out.toString()), log.toString());
        String md = Files.readString(out.resolve("gallery.md"));
        assertTrue(md.contains("| member | spatial | single |"), md);
        assertTrue(md.contains("\n| a | ") && md.contains("\n| b | ") && md.contains("Leaders: spatial: "), md);
        JsonObject gallery = JsonParser.parseString(Files.readString(out.resolve("gallery.json"))).getAsJsonObject();
        assertEquals("[\"a\",\"b\"]", gallery.get("members").toString());
        assertEquals(4, gallery.getAsJsonArray("results").get(1).getAsJsonObject().get("images").getAsInt());
        for (String member : new String[] {"a", "b"}) {
            JsonObject metrics = JsonParser.parseString(Files.readString(out.resolve(member).resolve("metrics.json")))
                    .getAsJsonObject();
            assertEquals(member, metrics.get("generator").getAsString());
            assertTrue(Files.isRegularFile(out.resolve(member).resolve("report.md")));
        }
    }

    @Test
    void itercompGalleryRefusesABadMemberSpecWithAUsageError() {
        Path out = tmp.resolve("gallery");
        StringWriter log = new StringWriter();
        assertEquals(2, run(log, "itercomp", "gallery", "--member", "no-equals-sign", "--member", "b=planned",
                "--out", out.toString()));
        assertTrue(log.toString().contains("--member no-equals-sign: expected NAME=DIR"), log.toString());
        assertTrue(log.toString().contains("Usage: t2i4j itercomp gallery"), log.toString());

        String missing = "a=" + tmp.resolve("nowhere");
        log = new StringWriter();
        assertEquals(2, run(log, "itercomp", "gallery", "--member", missing, "--member", "b=planned",
                "--out", out.toString()));
        assertTrue(log.toString().contains("--member " + missing + ": "), log.toString());

        log = new StringWriter();
        assertEquals(2, run(log, "itercomp", "gallery", "--member", "a b=world-ldm", "--member", "c=world-ldm",
                "--out", out.toString()));
        assertTrue(log.toString().contains("--member a b=world-ldm: ") && log.toString().contains("file-name safe"),
                log.toString());

        log = new StringWriter();
        assertEquals(2, run(log, "itercomp", "gallery", "--member", "a=world-ldm", "--out", out.toString()));
        assertTrue(log.toString().contains("at least two --member"), log.toString());
        assertTrue(Files.notExists(out), "nothing written");

        log = new StringWriter();
        assertEquals(2, run(log, "itercomp", "run", "--feedback-anchor", "-1", "--out", out.toString()));
        assertTrue(log.toString().contains("--feedback-anchor must be finite and >= 0"), log.toString());
        log = new StringWriter();
        assertEquals(2, run(log, "train", "gligen", "--batch-size", "0", "--out", out.toString()));
        assertTrue(log.toString().contains("--batch-size positive"), log.toString());
        assertTrue(Files.notExists(out), "nothing written");

        for (String[] help : new String[][] {{"itercomp", "--help"}, {"itercomp", "gallery", "--help"},
            {"itercomp", "run", "--help"}}) {
            log = new StringWriter();
            assertEquals(0, run(log, help), String.join(" ", help));
            assertTrue(log.toString().contains("Usage:"), log.toString());
        }
    }

    @Test
    void sutiAndItsSubcommandsHaveHelp() {
        for (String[] help : new String[][] {
            {"suti", "--help"}, {"suti", "apprentice", "--help"}, {"suti", "evaluate", "--help"}, {"suti", "train", "--help"}
        }) {
            StringWriter log = new StringWriter();
            assertEquals(0, run(log, help), String.join(" ", help));
            assertTrue(log.toString().contains("Usage: t2i4j " + String.join(" ", help).replace(" --help", "")),
                    log.toString());
        }
        StringWriter log = new StringWriter();
        assertEquals(0, run(log, "suti", "experts", "--help"), "the old name is an alias");
        assertTrue(log.toString().contains("Usage: t2i4j suti evaluate"), log.toString());
        log = new StringWriter();
        assertEquals(2, run(log, "suti"));
        assertTrue(log.toString().contains("name a SuTI job"), log.toString());
    }

    @Test
    void sutiEvaluateComparesTwoSuTIFoldersAndTheBaseOnTheSameTasks() throws Exception {
        Path suti = nearest("models/suti/model_index.json").getParent();
        Path out = tmp.resolve("suti-evaluate");
        StringWriter log = new StringWriter();
        assertEquals(0, run(log, "suti", "evaluate", "--method", "suti,base,suti-other-demos", "--suti", "suti", "--compare-suti",
                suti.toString(), "--subjects", "2", "--prompts", "2", "--sampling-steps", "2", "--clip", "none",
                "--grid-subjects", "1", "--grid-prompts", "2", "--out", out.toString()), log.toString());
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("\n| SUTI | 2 | ") && md.contains("\n| SUTI (suti) | 2 | ") && md.contains("\n| BASE | 2 | ")
                && md.contains("\n| SUTI_OTHER_DEMOS | 2 | ") && md.contains("What SuTI reads from the demonstrations"), md);
        assertTrue(md.contains("![subject ") && Files.isRegularFile(out.resolve("grids")
                .resolve("subject-" + io.github.t2i4j.suti.subjects.SubjectCatalog.load().heldOut().get(0).id() + ".png")), md);
        JsonObject json = JsonParser.parseString(Files.readString(out.resolve("report.json"))).getAsJsonObject();
        assertEquals(4, json.getAsJsonArray("methods").size());
        JsonObject a = json.getAsJsonArray("methods").get(0).getAsJsonObject();
        JsonObject b = json.getAsJsonArray("methods").get(1).getAsJsonObject();
        assertEquals("SUTI (suti)", b.get("name").getAsString());
        // the same model on the same tasks: the same scores
        assertEquals(a.get("subjectFidelity").getAsDouble(), b.get("subjectFidelity").getAsDouble(), 1e-9);
        assertEquals(a.get("textFidelity").getAsDouble(), b.get("textFidelity").getAsDouble(), 1e-9);
    }

    @Test
    void sutiRefusesBadValuesWithUsageErrorsNamingThem() {
        Path out = tmp.resolve("suti");
        String[][] cases = {
            {"--keep must be in (0, 1], got 1.5", "apprentice", "--keep", "1.5", "--out", out.toString()},
            {"--subjects must be 1 to 400, got 0", "apprentice", "--subjects", "0", "--out", out.toString()},
            {"--prompts-per-subject must be 1 to 67, got 100", "apprentice", "--prompts-per-subject", "100", "--out",
                out.toString()},
            {"--base " + tmp.resolve("nowhere") + " is neither", "apprentice", "--base", tmp.resolve("nowhere").toString(),
                "--out", out.toString()},
            {"--method lora is not a method", "evaluate", "--method", "lora", "--out", out.toString()},
            {"--subjects must be 1 to 50, got 51", "evaluate", "--subjects", "51", "--out", out.toString()},
            {"--method suti-other-demos needs --subjects 2 or more", "evaluate", "--clip", "none", "--method",
                "suti-other-demos", "--subjects", "1", "--out", out.toString()},
            {"--text-ratio must be in [0, 1], got 2.0", "evaluate", "--clip", "none", "--text-ratio", "2", "--out",
                out.toString()},
            {"--suti " + tmp.resolve("nowhere") + " is neither", "evaluate", "--clip", "none", "--suti",
                tmp.resolve("nowhere").toString(), "--out", out.toString()},
            {"is not a SuTI model folder", "evaluate", "--clip", "none", "--suti", "world-ldm", "--out", out.toString()},
            {"--compare-suti needs the suti method", "evaluate", "--clip", "none", "--method", "dreambooth", "--compare-suti", "suti",
                "--out", out.toString()},
            {"name the training data", "train", "--out", out.toString()},
            {"--data " + tmp.resolve("nowhere") + " is not a folder", "train", "--data", tmp.resolve("nowhere").toString(),
                "--out", out.toString()},
            {"exclude each other", "train", "--data", tmp.toString(), "--real-pairs", "--out", out.toString()},
            {"--placement middle is not mid, mid_and_up or mid_and_up_per_level", "train", "--real-pairs", "--placement",
                "middle", "--out", out.toString()},
            {"--real-targets is for --real-pairs", "train", "--data", tmp.toString(), "--real-targets",
                "DEMONSTRATED_CONTEXT", "--out", out.toString()},
            {"--subject-loss-weight must be >= 0, got -1.0", "train", "--real-pairs", "--subject-loss-weight", "-1",
                "--out", out.toString()},
        };
        for (String[] c : cases) {
            String[] args = new String[c.length];
            args[0] = "suti";
            System.arraycopy(c, 1, args, 1, c.length - 1);
            StringWriter log = new StringWriter();
            assertEquals(2, run(log, args), String.join(" ", args));
            assertTrue(log.toString().contains(c[0]), log.toString());
            assertTrue(log.toString().contains("Usage: t2i4j suti " + c[1]), log.toString());
        }
        assertTrue(Files.notExists(out), "nothing written");
    }
}
