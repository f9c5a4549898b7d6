package io.github.t2i4j.core.models.clip;

import io.github.t2i4j.core.io.ConfigJson;
import io.github.t2i4j.core.io.JsonFiles;
import io.github.t2i4j.core.tensor.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The pixel normalisation of transformers' {@code CLIPImageProcessor} ({@code
 * preprocessor_config.json}: {@code do_normalize}, {@code image_mean}, {@code image_std}), applied
 * to images in t2i4j's convention: float [B, C, H, W] in [-1, 1], already at the model's
 * image_size (resizing and cropping are not done here). An image {@code x} becomes {@code
 * ((x + 1) / 2 - mean) / std} per channel, which is what the Python processor computes from the
 * same picture's 8-bit pixels (rescaled by 1/255).
 *
 * <ul>
 *   <li>{@link #world()}: mean = std = 0.5, so pixel values are the [-1, 1] image itself (no
 *       work at all). t2i4j's own CLIP is trained this way.
 *   <li>{@link #openai()}: OpenAI CLIP's mean/std, for real CLIP vision checkpoints.
 * </ul>
 */
public final class CLIPImageProcessor {
    /** The file transformers keeps image processor settings in. */
    public static final String FILE = "preprocessor_config.json";

    /** OpenAI CLIP's per-channel mean of [0, 1] RGB pixels. */
    public static final double[] OPENAI_CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};

    /** OpenAI CLIP's per-channel standard deviation of [0, 1] RGB pixels. */
    public static final double[] OPENAI_CLIP_STD = {0.26862954, 0.26130258, 0.27577711};

    private final boolean doNormalize;
    private final double[] imageMean;
    private final double[] imageStd;

    /**
     * @param doNormalize false: pixel values are the [0, 1] image (mean and std unused)
     * @param imageMean per-channel mean (one value per channel, or one for all)
     * @param imageStd per-channel standard deviation, positive
     */
    public CLIPImageProcessor(boolean doNormalize, double[] imageMean, double[] imageStd) {
        if (imageMean.length == 0 || imageMean.length != imageStd.length) {
            throw new IllegalArgumentException(
                    "image_mean " + Arrays.toString(imageMean) + " and image_std " + Arrays.toString(imageStd)
                            + " must be non-empty and of equal length");
        }
        for (double s : imageStd) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("image_std must be positive, got " + Arrays.toString(imageStd));
            }
        }
        this.doNormalize = doNormalize;
        this.imageMean = imageMean.clone();
        this.imageStd = imageStd.clone();
    }

    /** t2i4j's world CLIP: images in [-1, 1] are the pixel values (mean = std = 0.5). */
    public static CLIPImageProcessor world() {
        return new CLIPImageProcessor(true, new double[] {0.5, 0.5, 0.5}, new double[] {0.5, 0.5, 0.5});
    }

    /** OpenAI CLIP's normalisation (openai/clip-vit-*, and the SD image encoders built on them). */
    public static CLIPImageProcessor openai() {
        return new CLIPImageProcessor(true, OPENAI_CLIP_MEAN, OPENAI_CLIP_STD);
    }

    /** Reads {@code do_normalize}, {@code image_mean} and {@code image_std} (transformers' defaults when absent: OpenAI's). */
    public static CLIPImageProcessor fromJson(Path file) {
        return fromJson(JsonFiles.readObject(file, "image processor config"));
    }

    /** See {@link #fromJson(Path)}. */
    public static CLIPImageProcessor fromJson(JsonObject o) {
        boolean normalize = ConfigJson.boolOr(o, "do_normalize", true);
        return new CLIPImageProcessor(
                normalize, doubles(o, "image_mean", OPENAI_CLIP_MEAN), doubles(o, "image_std", OPENAI_CLIP_STD));
    }

    private static double[] doubles(JsonObject o, String key, double[] def) {
        JsonElement e = ConfigJson.get(o, key);
        if (e == null) {
            return def;
        }
        try {
            if (e.isJsonPrimitive()) {
                return new double[] {e.getAsDouble()};
            }
            JsonArray a = e.getAsJsonArray();
            double[] out = new double[a.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = a.get(i).getAsDouble();
            }
            return out;
        } catch (RuntimeException ex) {
            throw new IllegalArgumentException("config key " + key + " must be a number or a list of numbers, got " + e);
        }
    }

    /**
     * The settings as transformers' {@code CLIPImageProcessor} saves them, with resizing and
     * cropping off (images are expected at the model's size), so that Python reproduces {@link
     * #preprocess} from 8-bit images.
     */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("image_processor_type", "CLIPImageProcessor");
        o.addProperty("do_convert_rgb", true);
        o.addProperty("do_resize", false);
        o.addProperty("do_center_crop", false);
        o.addProperty("do_rescale", true);
        o.addProperty("rescale_factor", 1.0 / 255.0);
        o.addProperty("do_normalize", doNormalize);
        o.add("image_mean", array(imageMean));
        o.add("image_std", array(imageStd));
        return o;
    }

    /** Writes {@link #toJson()} as {@code preprocessor_config.json} into {@code dir}. */
    public void save(Path dir) {
        JsonFiles.writeObject(dir.resolve(FILE), toJson());
    }

    private static JsonArray array(double[] v) {
        JsonArray a = new JsonArray();
        for (double d : v) {
            a.add(d);
        }
        return a;
    }

    /** True when pixel values equal the [-1, 1] images (mean = std = 0.5 for every channel). */
    public boolean isIdentity() {
        if (!doNormalize) {
            return false;
        }
        for (int i = 0; i < imageMean.length; i++) {
            if (imageMean[i] != 0.5 || imageStd[i] != 0.5) {
                return false;
            }
        }
        return true;
    }

    /**
     * Images [B, C, H, W] in [-1, 1] to the model's pixel values (one scale and one shift per
     * channel, on the images' manager and device; the input itself when {@link #isIdentity()}).
     */
    public NDArray preprocess(NDArray images) {
        Shape s = images.getShape();
        if (s.dimension() != 4) {
            throw new IllegalArgumentException("images must be [batch, channels, height, width], got " + s);
        }
        int c = (int) s.get(1);
        if (imageMean.length != 1 && imageMean.length != c) {
            throw new IllegalArgumentException(
                    "images have " + c + " channels but image_mean has " + imageMean.length + " values");
        }
        if (isIdentity()) {
            return images;
        }
        // ((x + 1) / 2 - mean) / std = x * (0.5 / std) + (0.5 - mean) / std
        float[] scale = new float[c];
        float[] shift = new float[c];
        for (int i = 0; i < c; i++) {
            double mean = doNormalize ? imageMean[imageMean.length == 1 ? 0 : i] : 0.0;
            double std = doNormalize ? imageStd[imageStd.length == 1 ? 0 : i] : 1.0;
            scale[i] = (float) (0.5 / std);
            shift[i] = (float) ((0.5 - mean) / std);
        }
        NDManager m = images.getManager();
        NDArray a = HostArrays.owned(m.create(scale, new Shape(1, c, 1, 1))).toDevice(images.getDevice(), false);
        NDArray b = HostArrays.owned(m.create(shift, new Shape(1, c, 1, 1))).toDevice(images.getDevice(), false);
        return images.mul(a.toType(images.getDataType(), false)).add(b.toType(images.getDataType(), false));
    }

    public boolean doNormalize() {
        return doNormalize;
    }

    public double[] imageMean() {
        return imageMean.clone();
    }

    public double[] imageStd() {
        return imageStd.clone();
    }

    @Override
    public String toString() {
        return "CLIPImageProcessor(do_normalize=" + doNormalize + ", image_mean=" + Arrays.toString(imageMean)
                + ", image_std=" + Arrays.toString(imageStd) + ")";
    }
}
