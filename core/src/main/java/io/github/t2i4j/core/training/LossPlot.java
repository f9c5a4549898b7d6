package io.github.t2i4j.core.training;

import io.github.t2i4j.core.image.Images;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PNG of a loss curve drawn with Java2D: the raw losses in a light colour, a smoothed curve
 * (TensorBoard's debiased exponential moving average) on top, labelled axes, and a logarithmic
 * loss axis when the losses span more than a decade.
 */
public final class LossPlot {
    private static final Logger LOG = LoggerFactory.getLogger(LossPlot.class);

    private static final int WIDTH = 900;
    private static final int HEIGHT = 540;
    private static final int LEFT = 90;
    private static final int RIGHT = 30;
    private static final int TOP = 45;
    private static final int BOTTOM = 60;

    private LossPlot() {}

    /** Plots the losses of {@code metrics} (skipping non-finite ones) to a PNG file. */
    public static void write(List<StepMetrics> metrics, Path png) {
        List<double[]> pts = new ArrayList<>();
        for (StepMetrics m : metrics) {
            if (Double.isFinite(m.loss())) {
                pts.add(new double[] {m.step(), m.loss()});
            }
        }
        double[] steps = pts.stream().mapToDouble(p -> p[0]).toArray();
        double[] losses = pts.stream().mapToDouble(p -> p[1]).toArray();
        Images.writePng(render(steps, losses), png);
    }

    /** The plot of {@code losses} against {@code steps} as an image. */
    public static BufferedImage render(double[] steps, double[] losses) {
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(
                    RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            int n = losses.length;
            if (n == 0) {
                text(g, "no finite losses", WIDTH / 2, HEIGHT / 2, 0);
                return img;
            }
            double[] smooth = smooth(losses);
            double xMin = steps[0];
            double xMax = steps[n - 1] > xMin ? steps[n - 1] : xMin + 1;
            double yLo = Arrays.stream(losses).min().getAsDouble();
            double yHi = Arrays.stream(losses).max().getAsDouble();
            boolean log = yLo > 0 && yHi / yLo > 10;
            Axis y = log ? Axis.log(yLo, yHi) : Axis.linear(yLo, yHi);
            Axis x = Axis.linear(xMin, xMax);

            int pw = WIDTH - LEFT - RIGHT;
            int ph = HEIGHT - TOP - BOTTOM;
            // grid and ticks
            g.setStroke(new BasicStroke(1f));
            for (double t : y.ticks) {
                int py = TOP + ph - (int) Math.round(y.frac(t) * ph);
                g.setColor(new Color(230, 230, 230));
                g.drawLine(LEFT, py, LEFT + pw, py);
                g.setColor(Color.DARK_GRAY);
                text(g, label(t), LEFT - 8, py, 1);
            }
            for (double t : x.ticks) {
                int px = LEFT + (int) Math.round(x.frac(t) * pw);
                g.setColor(new Color(230, 230, 230));
                g.drawLine(px, TOP, px, TOP + ph);
                g.setColor(Color.DARK_GRAY);
                text(g, label(t), px, TOP + ph + 16, 0);
            }
            g.setColor(Color.BLACK);
            g.drawRect(LEFT, TOP, pw, ph);
            text(g, "step", LEFT + pw / 2, HEIGHT - 15, 0);
            text(g, "loss" + (log ? " (log scale)" : ""), LEFT, TOP - 14, -1);
            text(
                    g,
                    String.format(
                            Locale.ROOT, "last %.4g, smoothed %.4g", losses[n - 1], smooth[n - 1]),
                    LEFT + pw,
                    TOP - 14,
                    1);

            java.awt.Shape clip = g.getClip();
            g.clipRect(LEFT, TOP, pw + 1, ph + 1);
            g.setColor(new Color(160, 190, 235));
            g.setStroke(new BasicStroke(1f));
            g.draw(curve(steps, losses, x, y, pw, ph));
            g.setColor(new Color(20, 70, 170));
            g.setStroke(new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(curve(steps, smooth, x, y, pw, ph));
            g.setClip(clip);
        } finally {
            g.dispose();
        }
        return img;
    }

    private static Path2D curve(double[] xs, double[] ys, Axis x, Axis y, int pw, int ph) {
        Path2D.Double p = new Path2D.Double();
        for (int i = 0; i < xs.length; i++) {
            double px = LEFT + x.frac(xs[i]) * pw;
            double py = TOP + ph - y.frac(ys[i]) * ph;
            if (i == 0) {
                p.moveTo(px, py);
            } else {
                p.lineTo(px, py);
            }
        }
        if (xs.length == 1) {
            p.lineTo(LEFT + x.frac(xs[0]) * pw + 1, TOP + ph - y.frac(ys[0]) * ph);
        }
        return p;
    }

    /** Debiased exponential moving average, with a weight that grows with the curve's length. */
    static double[] smooth(double[] v) {
        double w = Math.max(0, Math.min(0.99, 1 - 20.0 / v.length));
        double[] out = new double[v.length];
        double acc = 0;
        double norm = 0;
        for (int i = 0; i < v.length; i++) {
            acc = w * acc + (1 - w) * v[i];
            norm = w * norm + (1 - w);
            out[i] = acc / norm;
        }
        return out;
    }

    private static String label(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e7) {
            return Long.toString((long) v);
        }
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e5) {
            String s = String.format(Locale.ROOT, "%.4g", v);
            return s.contains(".") ? s.replaceAll("\\.?0+$", "") : s;
        }
        return String.format(Locale.ROOT, "%.1e", v);
    }

    /** Draws text centred (0), right-aligned (1) or left-aligned (-1) at x, centred on y. */
    private static void text(Graphics2D g, String s, int x, int y, int align) {
        try {
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            FontMetrics fm = g.getFontMetrics();
            int w = fm.stringWidth(s);
            int px = align == 0 ? x - w / 2 : align > 0 ? x - w : x;
            g.drawString(s, px, y + fm.getAscent() / 2 - 1);
        } catch (RuntimeException | InternalError e) {
            // headless machines without fonts: the plot is still useful without labels
            LOG.debug("cannot draw text on the loss plot: {}", e.toString());
        }
    }

    /** An axis range with its tick positions; {@code frac} maps a value to [0, 1]. */
    private record Axis(double lo, double hi, boolean log, double[] ticks) {

        static Axis linear(double lo, double hi) {
            if (hi <= lo) {
                double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
                lo -= pad;
                hi += pad;
            }
            double step = nice((hi - lo) / 5);
            double pad = (hi - lo) * 0.03;
            lo -= pad;
            hi += pad;
            List<Double> t = new ArrayList<>();
            for (double v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) {
                t.add(Math.abs(v) < step * 1e-9 ? 0 : v);
            }
            return new Axis(lo, hi, false, t.stream().mapToDouble(Double::doubleValue).toArray());
        }

        static Axis log(double lo, double hi) {
            double a = Math.log10(lo);
            double b = Math.log10(hi);
            double pad = (b - a) * 0.03;
            a -= pad;
            b += pad;
            List<Double> t = new ArrayList<>();
            double[] mant = b - a < 2.5 ? new double[] {1, 2, 5} : new double[] {1};
            for (int e = (int) Math.floor(a); e <= (int) Math.ceil(b); e++) {
                for (double mm : mant) {
                    double v = mm * Math.pow(10, e);
                    double lv = Math.log10(v);
                    if (lv >= a && lv <= b) {
                        t.add(v);
                    }
                }
            }
            return new Axis(a, b, true, t.stream().mapToDouble(Double::doubleValue).toArray());
        }

        double frac(double v) {
            double u = log ? Math.log10(v) : v;
            return (u - lo) / (hi - lo);
        }

        /** 1, 2 or 5 times a power of ten, near {@code raw}. */
        private static double nice(double raw) {
            double e = Math.pow(10, Math.floor(Math.log10(raw)));
            double f = raw / e;
            return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * e;
        }
    }
}
