package io.github.t2i4j.suti.model;

import com.google.gson.JsonObject;
import io.github.t2i4j.core.io.ConfigJson;
import io.github.t2i4j.core.io.JsonFiles;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What SuTI adds to a base UNet, stored as {@code suti_config.json} beside the UNet's own {@code
 * config.json}.
 *
 * @param placement which transformer blocks get a {@link NeighborAttention}
 * @param heads attention heads of every neighbour layer (each block's width must be a multiple)
 * @param demoTimestep the diffusion timestep at which the UNet's encoder reads the (clean)
 *     demonstration latents; 0: the encoder sees them as noise-free images
 */
public record SuTIConfig(Placement placement, int heads, int demoTimestep) {

    /** The file name inside a SuTI UNet folder. */
    public static final String FILE = "suti_config.json";
    /** The {@code _class_name} written to the file. */
    public static final String CLASS_NAME = "SuTIUNet";

    /** Where the neighbour layers go, and which encoder features of the demonstrations each reads. */
    public enum Placement {
        /** The mid block's transformer blocks only (Instruct-Imagen: one layer at the bottleneck). */
        MID(false, "mid_block."),
        /** The mid block and every up (decoder) block's transformer blocks, all reading the bottleneck features. */
        MID_AND_UP(false, "mid_block.", "up_blocks."),
        /**
         * The mid block and every up block, each up block reading the demonstrations' features at its
         * own resolution (the last state of the down block of that level), the mid block the bottleneck
         * (Re-Imagen's placement: the neighbours' encodings meet every UNet block at its own scale).
         */
        MID_AND_UP_PER_LEVEL(true, "mid_block.", "up_blocks.");

        private final boolean perLevel;
        private final String[] prefixes;

        Placement(boolean perLevel, String... prefixes) {
            this.perLevel = perLevel;
            this.prefixes = prefixes;
        }

        /** Whether up blocks read the features of their own resolution rather than the bottleneck's. */
        public boolean perLevel() {
            return perLevel;
        }

        /** Whether the transformer block of this checkpoint prefix gets a layer. */
        public boolean covers(String blockPrefix) {
            for (String p : prefixes) {
                if (blockPrefix.startsWith(p)) {
                    return true;
                }
            }
            return false;
        }

        /** E.g. "mid_and_up". */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@link #key()}. */
        public static Placement of(String key) {
            for (Placement p : values()) {
                if (p.key().equals(key)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("unknown neighbour-layer placement '" + key + "'; known: mid, mid_and_up, mid_and_up_per_level");
        }
    }

    public SuTIConfig {
        java.util.Objects.requireNonNull(placement, "placement");
        if (heads < 1) {
            throw new IllegalArgumentException("heads must be >= 1: " + heads);
        }
        if (demoTimestep < 0) {
            throw new IllegalArgumentException("demoTimestep must be >= 0: " + demoTimestep);
        }
    }

    /** One layer at the bottleneck with 4 heads, demonstrations encoded at timestep 0. */
    public static SuTIConfig defaults() {
        return new SuTIConfig(Placement.MID, 4, 0);
    }

    public SuTIConfig withPlacement(Placement p) {
        return new SuTIConfig(p, heads, demoTimestep);
    }

    public SuTIConfig withHeads(int h) {
        return new SuTIConfig(placement, h, demoTimestep);
    }

    public SuTIConfig withDemoTimestep(int t) {
        return new SuTIConfig(placement, heads, t);
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("_class_name", CLASS_NAME);
        o.addProperty("neighbor_placement", placement.key());
        o.addProperty("neighbor_attention_heads", heads);
        o.addProperty("demo_timestep", demoTimestep);
        return o;
    }

    public static SuTIConfig fromJson(JsonObject o) {
        String cls = ConfigJson.stringOr(o, "_class_name", CLASS_NAME);
        if (!CLASS_NAME.equals(cls)) {
            throw new IllegalArgumentException("not a SuTI config: _class_name " + cls);
        }
        return new SuTIConfig(
                Placement.of(ConfigJson.stringOr(o, "neighbor_placement", Placement.MID.key())),
                ConfigJson.requireInt(o, "neighbor_attention_heads"),
                ConfigJson.intOr(o, "demo_timestep", 0));
    }

    /** Reads {@value #FILE} from a SuTI UNet folder. */
    public static SuTIConfig read(Path dir) {
        return fromJson(JsonFiles.readObject(dir.resolve(FILE), "SuTI config"));
    }

    /** Writes {@value #FILE} into a folder. */
    public void write(Path dir) {
        JsonFiles.writeObject(dir.resolve(FILE), toJson());
    }
}
