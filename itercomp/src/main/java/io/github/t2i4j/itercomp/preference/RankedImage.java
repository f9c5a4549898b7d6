package io.github.t2i4j.itercomp.preference;

import com.google.gson.JsonObject;

/**
 * One gallery member's image in a {@link Ranking}: who drew it, where its PNG lies (relative to the
 * preference folder), the simulated annotator's score for the ranking's aspect (the evaluator's
 * fraction of requirements met), the world-CLIP score that breaks the annotator's ties, and, for an
 * image placed into an existing ranking by a reward model, that reward ({@code NaN} otherwise).
 */
public record RankedImage(String member, String file, double score, double clipScore, double reward) {

    public RankedImage {
        if (member == null || member.isBlank() || file == null || file.isBlank()) {
            throw new IllegalArgumentException("a ranked image needs a member and a file: " + member + ", " + file);
        }
    }

    /** An image ranked by the annotator (no reward). */
    public static RankedImage judged(String member, String file, double score, double clipScore) {
        return new RankedImage(member, file, score, clipScore, Double.NaN);
    }

    /** This image with the reward that placed it. */
    public RankedImage withReward(double r) {
        return new RankedImage(member, file, score, clipScore, r);
    }

    /** Whether a reward model, not the annotator, placed it. */
    public boolean placedByReward() {
        return !Double.isNaN(reward);
    }

    JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("member", member);
        o.addProperty("file", file);
        o.addProperty("score", score);
        o.addProperty("clip_score", clipScore);
        if (placedByReward()) {
            o.addProperty("reward", reward);
        }
        return o;
    }

    static RankedImage fromJson(JsonObject o) {
        return new RankedImage(o.get("member").getAsString(), o.get("file").getAsString(), o.get("score").getAsDouble(),
                o.get("clip_score").getAsDouble(), o.has("reward") ? o.get("reward").getAsDouble() : Double.NaN);
    }
}
