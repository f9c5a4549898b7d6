package io.github.t2i4j.star.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.tensor.HostArrays;
import io.github.t2i4j.star.model.StarConfig;
import io.github.t2i4j.star.model.StarTransformer;
import io.github.t2i4j.star.tokenizer.Resampling;
import java.util.Arrays;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a trained STAR transformer to another scale schedule (a larger image size, e.g. scales
 * 1,2,3,4,6,8 at 64 px to 1,2,3,4,6,8,12 at 96 px), keeping every weight that does not depend on
 * the schedule. Each scale of the new schedule takes the parameters of the trained scale with the
 * same side, or else the nearest side (the larger on a tie):
 *
 * <ul>
 *   <li>normalised RoPE: attention, FFN, head, embeddings stay as they are (every scale spans the
 *       same normalised square, which is STAR's point); only the level embedding {@code
 *       lvl_embed} is per scale, so an added scale gets a copy of its nearest scale's row;
 *   <li>absolute positions: as above, and VAR's table {@code pos_1LC} is rebuilt block by block:
 *       each new scale's pn x pn block is the nearest trained block resized to pn x pn (bicubic,
 *       PyTorch's {@code align_corners=False}, when larger; area average when smaller).
 * </ul>
 *
 * The first scale must keep its side ({@code pos_start} is per first-scale token).
 */
public final class ScheduleTransfer {
    private static final Logger LOG = LoggerFactory.getLogger(ScheduleTransfer.class);

    private ScheduleTransfer() {}

    /** For each new scale, the index of the trained scale its parameters come from. */
    public static int[] sourceScales(int[] trained, int[] target) {
        int[] src = new int[target.length];
        for (int k = 0; k < target.length; k++) {
            int best = 0;
            for (int j = 1; j < trained.length; j++) {
                int dj = Math.abs(trained[j] - target[k]);
                int db = Math.abs(trained[best] - target[k]);
                if (dj < db || (dj == db && trained[j] > trained[best])) {
                    best = j;
                }
            }
            src[k] = best;
        }
        return src;
    }

    /**
     * A new transformer over {@code patchNums} with the trained model's weights (copied, so the
     * two are independent), on {@code manager}, in float32.
     */
    public static StarTransformer extend(StarTransformer trained, int[] patchNums, NDManager manager) {
        StarConfig from = trained.config();
        int[] oldPns = from.patchNums();
        if (patchNums.length == 0 || patchNums[0] != oldPns[0]) {
            throw new IllegalArgumentException("the first scale must stay " + oldPns[0] + "x" + oldPns[0]
                    + " (pos_start is per start token), got " + Arrays.toString(patchNums));
        }
        StarConfig to = from.withPatchNums(patchNums);
        StarTransformer out = new StarTransformer(to);
        out.initialize(manager, DataType.FLOAT32);
        int[] src = sourceScales(oldPns, patchNums);
        Map<String, Parameter> oldParams = trained.namedParameters();
        NDIndex all = new NDIndex("...");
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            for (Map.Entry<String, Parameter> e : out.namedParameters().entrySet()) {
                String name = e.getKey();
                NDArray old = oldParams.get(name).getArray().stopGradient().toType(DataType.FLOAT32, false);
                NDArray value = switch (name) {
                    case "lvl_embed.weight" -> old.get(new NDIndex("{}", HostArrays.owned(old.getManager().create(toLong(src)))));
                    case "pos_1LC" -> resizeTable(trained, old, patchNums, src);
                    default -> old;
                };
                e.getValue().getArray().set(all, value.toDevice(e.getValue().getArray().getDevice(), false));
            }
        }
        LOG.info("moved the transformer from scales {} to {} (new scales take the parameters of scales {}), positions {}",
                Arrays.toString(oldPns), Arrays.toString(patchNums), Arrays.toString(src), from.positions());
        return out;
    }

    /** VAR's absolute table [1, L, C] of the trained schedule rebuilt for {@code patchNums}. */
    static NDArray resizeTable(StarTransformer trained, NDArray table, int[] patchNums, int[] src) {
        int[] oldPns = trained.config().patchNums();
        long c = table.getShape().get(2);
        NDList blocks = new NDList(patchNums.length);
        for (int k = 0; k < patchNums.length; k++) {
            int j = src[k];
            int from = oldPns[j];
            int pn = patchNums[k];
            NDArray block = table.get(":, " + trained.scaleStart(j) + ":" + trained.scaleStart(j + 1));
            // [1, pn*pn, C] (row-major tokens) <-> [1, C, pn, pn] map
            NDArray map = block.transpose(0, 2, 1).reshape(1, c, from, from);
            NDArray resized = pn > from ? Resampling.bicubic(map, pn, pn) : Resampling.area(map, pn, pn);
            blocks.add(resized.reshape(1, c, (long) pn * pn).transpose(0, 2, 1));
        }
        return NDArrays.concat(blocks, 1);
    }

    private static long[] toLong(int[] a) {
        return Arrays.stream(a).asLongStream().toArray();
    }
}
