package io.selfinstruct.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance: exporting 1,000,000 instances succeeds in a JVM limited to a 256 MB heap. The export runs in a
 * child JVM with {@code -Xmx256m} on this test's classpath ({@link StreamingExportMain}); the alpaca array
 * and the GPT-3 file (spooled, deduplicated and shuffled) are both written and every record is counted back.
 */
class StreamingExportTest {

    static final int INSTANCES = 1_000_000;

    @Test
    void millionInstancesExportWithA256MbHeap(@TempDir Path directory) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(
                        java,
                        "-Xmx256m",
                        "-XX:+ExitOnOutOfMemoryError",
                        "-Dfile.encoding=UTF-8",
                        "-cp",
                        System.getProperty("java.class.path"),
                        StreamingExportMain.class.getName(),
                        directory.toString(),
                        String.valueOf(INSTANCES),
                        directory.toString(),
                        "alpaca",
                        "gpt3")
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        // reading until the end also keeps the child from blocking on a full pipe
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
        System.out.println(output.lines().filter(l -> l.contains("seconds=")).toList());

        assertThat(process.exitValue()).as(output).isZero();
        List<String> results =
                output.lines().filter(l -> l.contains("records=")).toList();
        assertThat(results).as(output).hasSize(2);
        assertThat(results.get(0)).startsWith("alpaca records=" + INSTANCES + " ");
        assertThat(results.get(1)).startsWith("gpt3 records=" + INSTANCES + " ");
        assertThat(output).contains("maxHeapMB=256");
    }
}
