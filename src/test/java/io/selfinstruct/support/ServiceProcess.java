package io.selfinstruct.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The service started as a separate JVM on the test's classpath, so a test can kill it the hard way
 * ({@code SIGKILL}, no shutdown hooks) and start it again on the same data directory.
 */
public final class ServiceProcess implements AutoCloseable {

    public static final String API_KEY = "process-test-key";

    private final Process process;
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();

    private ServiceProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static ServiceProcess start(Path dataDir, Path logFile, String... properties) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                "io.selfinstruct.SelfInstructApplication",
                "--server.port=" + port,
                "--selfinstruct.data-dir=" + dataDir,
                "--selfinstruct.security.api-key=" + API_KEY,
                "--selfinstruct.admin.password=process-test-admin"));
        if (java.util.Arrays.stream(properties).noneMatch(p -> p.startsWith("spring.datasource.url="))) {
            command.add("--spring.datasource.url=jdbc:h2:file:" + dataDir.resolve("selfinstruct") + ";WRITE_DELAY=0");
        }
        for (String property : properties) {
            command.add("--" + property);
        }
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
        ServiceProcess service = new ServiceProcess(process, port);
        service.awaitHealthy(Duration.ofSeconds(90));
        return service;
    }

    public String get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path))
                .header("X-API-Key", API_KEY)
                .GET()
                .build());
    }

    public String post(String path, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path))
                .header("X-API-Key", API_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build());
    }

    /** SIGKILL: no shutdown hook, no clean release of anything. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM: Spring's graceful shutdown. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            kill();
        }
    }

    private String send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(
                    request.uri() + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private void awaitHealthy(Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the service exited with " + process.exitValue());
            }
            try {
                if (send(HttpRequest.newBuilder(uri("/actuator/health")).GET().build())
                        .contains("UP")) {
                    return;
                }
            } catch (IOException | IllegalStateException notYet) {
                Thread.sleep(250);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("the service did not become healthy in " + timeout);
    }
}
