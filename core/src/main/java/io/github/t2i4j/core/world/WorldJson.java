package io.github.t2i4j.core.world;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON form of prompts, scenes and examples (one example per JSONL line). Enum values are lowercase
 * keys; unspecified attributes are left out:
 *
 * <pre>
 * {"caption":"a red circle left of a square","category":"spatial",
 *  "prompt":{"objects":[{"shape":"circle","colour":"red"},{"shape":"square"}],
 *            "relations":[{"subject":0,"relation":"left_of","object":1}]},
 *  "scene":{"background":"white","objects":[{"shape":"circle","colour":"red","texture":"solid",
 *           "size":"small","x":0.25,"y":0.5}, ...]}}
 * </pre>
 */
public final class WorldJson {
    private WorldJson() {}

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    /** Compact one-line JSON text. */
    public static String toLine(JsonElement json) {
        return GSON.toJson(json);
    }

    /** The structure of a prompt: {"objects": [...], "relations": [...]}. */
    public static JsonObject structure(CompositionPrompt p) {
        JsonObject o = new JsonObject();
        JsonArray objs = new JsonArray();
        for (ObjectSpec s : p.objects()) {
            JsonObject j = new JsonObject();
            j.addProperty("shape", s.shape().word());
            if (s.colour() != null) {
                j.addProperty("colour", s.colour().word());
            }
            if (s.texture() != null) {
                j.addProperty("texture", s.texture().word());
            }
            if (s.size() != null) {
                j.addProperty("size", s.size().word());
            }
            objs.add(j);
        }
        JsonArray rels = new JsonArray();
        for (RelationSpec r : p.relations()) {
            JsonObject j = new JsonObject();
            j.addProperty("subject", r.subject());
            j.addProperty("relation", r.relation().key());
            j.addProperty("object", r.object());
            rels.add(j);
        }
        o.add("objects", objs);
        o.add("relations", rels);
        return o;
    }

    /** A scene: {"background": ..., "objects": [...]}. */
    public static JsonObject scene(Scene scene) {
        JsonObject o = new JsonObject();
        o.addProperty("background", scene.background().key());
        JsonArray objs = new JsonArray();
        for (SceneObject s : scene.objects()) {
            JsonObject j = new JsonObject();
            j.addProperty("shape", s.shape().word());
            j.addProperty("colour", s.colour().word());
            j.addProperty("texture", s.texture().word());
            j.addProperty("size", s.size().word());
            j.addProperty("x", s.x());
            j.addProperty("y", s.y());
            objs.add(j);
        }
        o.add("objects", objs);
        return o;
    }

    /** An example: caption, category, prompt structure and scene. */
    public static JsonObject example(WorldExample e) {
        JsonObject o = new JsonObject();
        o.addProperty("caption", e.caption());
        o.addProperty("category", e.category().key());
        o.add("prompt", structure(e.prompt()));
        o.add("scene", scene(e.scene()));
        return o;
    }

    /** Parses {@link #example}. */
    public static WorldExample parseExample(JsonObject o) {
        String caption = o.get("caption").getAsString();
        Category category = Category.of(o.get("category").getAsString());
        return new WorldExample(parsePrompt(caption, category, o.getAsJsonObject("prompt")), parseScene(o.getAsJsonObject("scene")));
    }

    /** Parses one JSONL line written from {@link #example}. */
    public static WorldExample parseExample(String line) {
        return parseExample(JsonParser.parseString(line).getAsJsonObject());
    }

    /** Parses {@link #structure} with the given caption and category. */
    public static CompositionPrompt parsePrompt(String caption, Category category, JsonObject structure) {
        List<ObjectSpec> objs = new ArrayList<>();
        for (JsonElement e : structure.getAsJsonArray("objects")) {
            JsonObject j = e.getAsJsonObject();
            objs.add(new ObjectSpec(
                    Shape.of(j.get("shape").getAsString()),
                    j.has("colour") ? Colour.of(j.get("colour").getAsString()) : null,
                    j.has("texture") ? Texture.of(j.get("texture").getAsString()) : null,
                    j.has("size") ? Size.of(j.get("size").getAsString()) : null));
        }
        List<RelationSpec> rels = new ArrayList<>();
        for (JsonElement e : structure.getAsJsonArray("relations")) {
            JsonObject j = e.getAsJsonObject();
            rels.add(new RelationSpec(
                    j.get("subject").getAsInt(), Relation.of(j.get("relation").getAsString()), j.get("object").getAsInt()));
        }
        return new CompositionPrompt(caption, category, objs, rels);
    }

    /** Parses {@link #scene}. */
    public static Scene parseScene(JsonObject o) {
        List<SceneObject> objs = new ArrayList<>();
        for (JsonElement e : o.getAsJsonArray("objects")) {
            JsonObject j = e.getAsJsonObject();
            objs.add(new SceneObject(
                    Shape.of(j.get("shape").getAsString()),
                    Colour.of(j.get("colour").getAsString()),
                    Texture.of(j.get("texture").getAsString()),
                    Size.of(j.get("size").getAsString()),
                    j.get("x").getAsDouble(),
                    j.get("y").getAsDouble()));
        }
        return new Scene(Background.of(o.get("background").getAsString()), objs);
    }
}
