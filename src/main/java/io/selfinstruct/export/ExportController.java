package io.selfinstruct.export;

import io.selfinstruct.pool.PoolFilter;
import io.selfinstruct.problem.InvalidRequestException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/export}: the pool as a download in one of the formats trainers read. The body is written on
 * the request thread straight to the servlet output stream, which the container flushes as its buffer fills:
 * no async dispatch, so no async timeout cuts a long download short and the API-key check runs once.
 */
@RestController
class ExportController {

    private final Exporter exporter;

    ExportController(Exporter exporter) {
        this.exporter = exporter;
    }

    /**
     * @param origin comma-separated origins; by default GENERATED and IMPORTED
     * @param from creation time, inclusive: an ISO date ({@code 2026-01-31}, start of the day UTC) or instant
     * @param to creation time: an ISO date (that whole day included) or an instant (exclusive)
     * @param split train fraction of a train/validation zip, e.g. 0.95
     */
    // the admin UI downloads the same export at /admin/export, behind its login instead of the API key
    @GetMapping({"/api/export", "/admin/export"})
    void export(
            @RequestParam String format,
            @RequestParam(required = false) String status,
            @RequestParam(required = false) String origin,
            @RequestParam(required = false) Long batchId,
            @RequestParam(required = false) Boolean classification,
            @RequestParam(required = false) String from,
            @RequestParam(required = false) String to,
            @RequestParam(required = false) String language,
            @RequestParam(defaultValue = "false") boolean includeSeeds,
            @RequestParam(defaultValue = "default") String seedSet,
            @RequestParam(required = false) Double split,
            @RequestParam(defaultValue = "42") long seed,
            @RequestParam(required = false) String systemMessage,
            HttpServletResponse response)
            throws IOException {
        ExportFormat exportFormat = ExportFormat.of(format);
        if (split != null && !(split > 0 && split < 1)) {
            throw new InvalidRequestException(
                    "split is the train fraction and must lie strictly between 0 and 1, e.g. 0.95");
        }
        if (split != null && !exportFormat.perRecord()) {
            throw new InvalidRequestException("split applies to alpaca, jsonl, openai-chat and sharegpt exports, not "
                    + exportFormat.parameter());
        }
        PoolFilter pool = new PoolFilter(
                null,
                PoolFilter.parseStatus(status),
                PoolFilter.parseOrigins(origin),
                batchId,
                classification,
                PoolFilter.parseInstant("from", from, false),
                PoolFilter.parseInstant("to", to, true),
                language);
        ExportFilter filter = new ExportFilter(pool, includeSeeds, seedSet);
        Exporter.Download download =
                exporter.export(new Exporter.Request(exportFormat, filter, split, seed, systemMessage));
        response.setContentType(download.contentType());
        response.setHeader(
                HttpHeaders.CONTENT_DISPOSITION,
                ContentDisposition.attachment()
                        .filename(download.fileName())
                        .build()
                        .toString());
        download.body().writeTo(response.getOutputStream());
    }
}
