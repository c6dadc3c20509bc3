package io.sluice.comms.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.comms.SluiceAddresses;
import io.sluice.comms.TapStack;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real client library over the drop-in socket factory: OkHttp 4.12 (which takes a {@code javax.net.SocketFactory})
 * with {@link SluiceSocketFactory} talks HTTP/1.1 to a Python HTTP server that this test starts in the TAP's
 * namespace, so every byte goes through Sluice's TCP and the TAP to the kernel's TCP. OkHttp is unchanged: it
 * connects with a timeout, reads with SO_TIMEOUT, pools keep-alive connections and probes them before reuse.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OkHttpOverSluiceTest {

    private static final int PORT = 8080;

    @TempDir
    Path dir;

    private TapStack stack;
    private Process server;
    private OkHttpClient client;
    private String base;

    @BeforeEach
    void start() throws Exception {
        String reason = TapStack.unavailableReason();
        assumeTrue(reason == null, reason);
        stack = TapStack.start("okhttp-test", dir, "198.18.14", "slok");
        String kernel = SluiceAddresses.inet(stack.kernelAddress()).getHostAddress();
        Path script = dir.resolve("http_test_server.py");
        try (var in = OkHttpOverSluiceTest.class.getResourceAsStream("/http_test_server.py")) {
            Files.copy(in, script);
        }
        server = new ProcessBuilder(stack.inNamespace("python3", "-u", script.toString(), kernel,
                Integer.toString(PORT))).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(),
                StandardCharsets.UTF_8));
        String ready = out.readLine();
        assertEquals("ready " + PORT, ready, "the HTTP server in the namespace started");
        base = "http://" + kernel + ":" + PORT;
        client = new OkHttpClient.Builder()
                .socketFactory(new SluiceSocketFactory(stack.sluice()))
                .connectTimeout(5, TimeUnit.SECONDS)
                .readTimeout(10, TimeUnit.SECONDS)
                .build();
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.connectionPool().evictAll();
            client.dispatcher().executorService().shutdownNow();
        }
        if (server != null) {
            server.getOutputStream().close(); // the server's signal to end
            if (!server.waitFor(5, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void getsALargeBodyThroughTheStack() throws IOException {
        int size = 4 << 20;
        try (Response response = client.newCall(new Request.Builder().url(base + "/bytes/" + size).build())
                .execute()) {
            assertEquals(200, response.code());
            byte[] body = response.body().bytes();
            assertEquals(size, body.length);
            for (int i = 0; i < size; i++) {
                if (body[i] != (byte) i) {
                    throw new AssertionError("byte " + i + " is " + body[i]);
                }
            }
        }
    }

    @Test
    void postsAndReadsTheEchoOnOnePooledConnection() throws IOException {
        byte[] payload = new byte[300_000];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 13 + 5);
        }
        for (int round = 0; round < 5; round++) {
            RequestBody body = RequestBody.create(payload, MediaType.get("application/octet-stream"));
            try (Response response = client.newCall(new Request.Builder().url(base + "/echo").post(body).build())
                    .execute()) {
                assertEquals(200, response.code());
                assertArrayEquals(payload, response.body().bytes(), "echo of round " + round);
            }
        }
        assertEquals(1, client.connectionPool().connectionCount(),
                "five requests, one keep-alive connection (checked healthy by OkHttp before each reuse)");
    }

    @Test
    void aSlowAnswerHitsTheReadTimeout() {
        OkHttpClient impatient = client.newBuilder().readTimeout(300, TimeUnit.MILLISECONDS).build();
        long started = System.nanoTime();
        assertThrows(SocketTimeoutException.class, () -> impatient.newCall(new Request.Builder()
                .url(base + "/sleep/3000").build()).execute().close());
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(tookMillis < 2_500, "timed out after " + tookMillis + " ms, not at the server's answer");
    }

    @Test
    void aClosedPortIsAConnectException() {
        OkHttpClient once = client.newBuilder().retryOnConnectionFailure(false).build();
        String closedPort = base.replace(":" + PORT, ":" + (PORT + 1));
        assertThrows(ConnectException.class, () -> once.newCall(new Request.Builder().url(closedPort).build())
                .execute().close());
    }
}
