package io.selfinstruct.problem;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * One body size limit per endpoint, enforced before the body is read: a declared {@code Content-Length} past it
 * is refused at once, and a body without one stops being read at the limit. Either way the answer is a 413
 * problem detail and nothing is stored. {@code /api/import} keeps its own limit
 * ({@code selfinstruct.import.max-bytes}).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class BodyLimits extends OncePerRequestFilter {

    private final Map<String, DataSize> limits = new LinkedHashMap<>();
    private final DataSize otherwise;

    public BodyLimits(
            @Value("${selfinstruct.limits.batches:64KB}") DataSize batches,
            @Value("${selfinstruct.limits.rouge:16MB}") DataSize rouge,
            @Value("${selfinstruct.limits.seed-tasks:32MB}") DataSize seedTasks,
            @Value("${selfinstruct.limits.finetune-jobs:200MB}") DataSize finetuneJobs,
            @Value("${selfinstruct.limits.other:1MB}") DataSize otherwise) {
        limits.put("/api/batches", batches);
        limits.put("/api/rouge/", rouge);
        limits.put("/api/seed-tasks", seedTasks);
        limits.put("/api/finetune-jobs", finetuneJobs);
        this.otherwise = otherwise;
    }

    /** The limit of a path, or null where none applies here. */
    DataSize limitOf(String path) {
        if (!path.startsWith("/api/") || path.startsWith("/api/import")) {
            return null;
        }
        return limits.entrySet().stream()
                .filter(e -> path.startsWith(e.getKey()))
                .map(Map.Entry::getValue)
                .findFirst()
                .orElse(otherwise);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        DataSize limit = limitOf(path);
        if (limit == null) {
            chain.doFilter(request, response);
            return;
        }
        String message = "The request body is larger than the limit of " + limit.toBytes() + " bytes for " + path
                + " (selfinstruct.limits.*); send less or raise the limit.";
        if (request.getContentLengthLong() > limit.toBytes()) {
            ProblemDetails.write(response, HttpStatus.PAYLOAD_TOO_LARGE, "Payload too large", message);
            return;
        }
        chain.doFilter(new Bounded(request, limit.toBytes(), message), response);
    }

    /** A request whose body refuses to be read past the limit. */
    private static final class Bounded extends HttpServletRequestWrapper {
        private final long limit;
        private final String message;
        private ServletInputStream stream;

        Bounded(HttpServletRequest request, long limit, String message) {
            super(request);
            this.limit = limit;
            this.message = message;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) {
                ServletInputStream in = super.getInputStream();
                stream = new ServletInputStream() {
                    private long read;

                    @Override
                    public int read() throws IOException {
                        int b = in.read();
                        count(b < 0 ? 0 : 1);
                        return b;
                    }

                    @Override
                    public int read(byte[] buffer, int offset, int length) throws IOException {
                        int n = in.read(buffer, offset, length);
                        count(Math.max(n, 0));
                        return n;
                    }

                    private void count(int n) {
                        read += n;
                        if (read > limit) {
                            throw new PayloadTooLargeException(message);
                        }
                    }

                    @Override
                    public boolean isFinished() {
                        return in.isFinished();
                    }

                    @Override
                    public boolean isReady() {
                        return in.isReady();
                    }

                    @Override
                    public void setReadListener(ReadListener listener) {
                        in.setReadListener(listener);
                    }
                };
            }
            return stream;
        }

        @Override
        public BufferedReader getReader() throws IOException {
            String encoding = getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }
    }
}
