package io.github.t2i4j.star.tokenizer;

import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.nn.ModuleList;

/**
 * VAR's {@code quant_resi}: which {@link Phi} refines scale k of K. Built from {@code
 * share_quant_resi} as VAR builds it, with VAR's parameter names:
 *
 * <ul>
 *   <li>0, {@code PhiNonShared}: one phi per scale (or {@code default_qresi_counts}), itself the
 *       list: {@code quant_resi.0.weight}, ...
 *   <li>1, {@code PhiShared}: one phi for all scales, {@code quant_resi.qresi.weight}.
 *   <li>n &gt; 1, {@code PhiPartiallyShared}: n phis, {@code quant_resi.qresi_ls.i.weight}.
 * </ul>
 *
 * With a list of K phis, scale k of K takes the phi whose tick is nearest to k/(K-1) (first one on
 * a tie, as {@code np.argmin}); the ticks are {@code linspace(1/(3K), 1-1/(3K), K)} for K = 4 and
 * {@code linspace(1/(2K), 1-1/(2K), K)} otherwise.
 */
public abstract class QuantResi extends Module {

    /** The phi for position {@code at} in [0, 1] (VAR's {@code quant_resi[si / (SN - 1)]}). */
    public abstract PhiLayer at(double at);

    /** The phi of scale {@code si} of {@code sn}; a single scale counts as position 0. */
    public PhiLayer forScale(int si, int sn) {
        return at(sn == 1 ? 0.0 : (double) si / (sn - 1));
    }

    /** Builds VAR's variant for {@code share_quant_resi}. */
    public static QuantResi of(VQVAEConfig c) {
        int share = c.shareQuantResi();
        if (share == 1) {
            return new Shared(Phi.of(c.zChannels(), c.quantResi()));
        }
        int n = share == 0 ? (c.defaultQresiCounts() > 0 ? c.defaultQresiCounts() : c.scales()) : share;
        java.util.List<Module> phis = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            phis.add(Phi.of(c.zChannels(), c.quantResi()));
        }
        return share == 0 ? new NonShared(phis) : new PartiallyShared(phis);
    }

    /**
     * numpy's {@code linspace(start, stop, k)} ({@code i * step + start}, the last one exactly
     * {@code stop}) with VAR's start/stop for k phis.
     */
    static double[] ticks(int k) {
        double start = k == 4 ? 1.0 / 3 / k : 1.0 / 2 / k;
        double stop = k == 4 ? 1 - 1.0 / 3 / k : 1 - 1.0 / 2 / k;
        double[] t = new double[k];
        if (k == 1) {
            t[0] = start;
            return t;
        }
        double step = (stop - start) / (k - 1);
        for (int i = 0; i < k; i++) {
            t[i] = i * step + start;
        }
        t[k - 1] = stop;
        return t;
    }

    /** Index of the tick nearest to {@code at}, the first on a tie. */
    static int nearestTick(double[] ticks, double at) {
        int best = 0;
        double bestD = Math.abs(ticks[0] - at);
        for (int i = 1; i < ticks.length; i++) {
            double d = Math.abs(ticks[i] - at);
            if (d < bestD) {
                best = i;
                bestD = d;
            }
        }
        return best;
    }

    /** {@code PhiShared}: the same phi at every scale. */
    static final class Shared extends QuantResi {
        private final PhiLayer qresi;

        Shared(Module phi) {
            this.qresi = (PhiLayer) module("qresi", phi);
        }

        @Override
        public PhiLayer at(double at) {
            return qresi;
        }
    }

    /** {@code PhiPartiallyShared}: {@code qresi_ls} chosen by nearest tick. */
    static final class PartiallyShared extends QuantResi {
        private final ModuleList<Module> qresiLs;
        private final double[] ticks;

        PartiallyShared(java.util.List<Module> phis) {
            this.qresiLs = module("qresi_ls", new ModuleList<>());
            phis.forEach(qresiLs::add);
            this.ticks = ticks(phis.size());
        }

        @Override
        public PhiLayer at(double at) {
            return (PhiLayer) qresiLs.get(nearestTick(ticks, at));
        }
    }

    /** {@code PhiNonShared}: a list whose entries are named 0, 1, ... directly under quant_resi. */
    static final class NonShared extends QuantResi {
        private final java.util.List<Module> items = new java.util.ArrayList<>();
        private final double[] ticks;

        NonShared(java.util.List<Module> phis) {
            for (int i = 0; i < phis.size(); i++) {
                items.add(module(Integer.toString(i), phis.get(i)));
            }
            this.ticks = ticks(items.size());
        }

        @Override
        public PhiLayer at(double at) {
            return (PhiLayer) items.get(nearestTick(ticks, at));
        }
    }
}
