package io.selfinstruct.export;

import io.selfinstruct.problem.ProblemDetails;
import io.selfinstruct.rouge.RougeL;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/**
 * {@code POST /api/import}: an alpaca JSON array or JSONL, as the request body or the multipart part
 * {@code file}. Invalid records are reported and skipped, unless {@code strict=true}, which refuses the whole
 * import with a 400 naming them.
 */
@RestController
class ImportController {

    private final Importer importer;

    ImportController(Importer importer) {
        this.importer = importer;
    }

    @PostMapping("/api/import")
    ImportReport importRecords(
            @RequestParam(required = false) MultipartFile file,
            @RequestParam(defaultValue = "true") boolean dedup,
            @RequestParam(defaultValue = "false") boolean strict,
            @RequestParam(required = false) Double threshold,
            @RequestParam(defaultValue = "en") String language,
            HttpServletRequest request)
            throws IOException {
        long declared = file != null ? file.getSize() : request.getContentLengthLong();
        if (declared > importer.maxBytes()) {
            throw new BoundedBody.TooLarge(importer.maxBytes());
        }
        try (InputStream body = file != null ? file.getInputStream() : request.getInputStream()) {
            return importer.importRecords(
                    body,
                    new Importer.Options(
                            dedup, strict, threshold == null ? RougeL.SELF_INSTRUCT_THRESHOLD : threshold, language));
        }
    }

    @ExceptionHandler(Importer.StrictRejection.class)
    ProblemDetail strict(Importer.StrictRejection e) {
        ProblemDetail problem = ProblemDetails.problem(HttpStatus.BAD_REQUEST, "Invalid records", e.getMessage());
        problem.setProperty("invalid", e.invalid());
        return problem;
    }

    @ExceptionHandler(BoundedBody.TooLarge.class)
    ProblemDetail tooLarge(BoundedBody.TooLarge e) {
        return ProblemDetails.problem(HttpStatus.CONTENT_TOO_LARGE, "Import too large", e.getMessage());
    }
}
