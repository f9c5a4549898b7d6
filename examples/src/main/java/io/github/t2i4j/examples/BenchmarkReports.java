package io.github.t2i4j.examples;

import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** What the benchmark subcommands share: the median of their timings and how they hand in their report. */
final class BenchmarkReports {
    private static final Logger LOG = LoggerFactory.getLogger(BenchmarkReports.class);

    private BenchmarkReports() {}

    /** The middle value of {@code values} (the upper one of an even count), which is left as it is. */
    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** Writes {@code report} as pretty-printed JSON to {@code out} and to the command's output. */
    static void write(Map<String, Object> report, Path out, CommandLine commandLine) throws IOException {
        String json = new GsonBuilder().setPrettyPrinting().create().toJson(report);
        Files.writeString(out, json + "\n");
        LOG.info("wrote {}", out);
        commandLine.getOut().println(json);
    }
}
