package io.selfinstruct.pool;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/instructions}: browse the pool, read one instruction, edit, reject or restore it. */
@RestController
@RequestMapping("/api/instructions")
class InstructionController {

    private final PoolBrowser browser;
    private final Curation curation;

    InstructionController(PoolBrowser browser, Curation curation) {
        this.browser = browser;
        this.curation = curation;
    }

    /**
     * @param q    case-insensitive substring of the text
     * @param sort newest (default), oldest, most_similar or least_similar
     */
    @GetMapping
    PoolPage list(
            @RequestParam(required = false) String q,
            @RequestParam(required = false) String status,
            @RequestParam(required = false) String origin,
            @RequestParam(required = false) String classification,
            @RequestParam(required = false) Long batchId,
            @RequestParam(required = false) String language,
            @RequestParam(required = false) String sort,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        return browser.search(PoolQuery.parse(q, status, origin, classification, batchId, language, sort, page, size));
    }

    @GetMapping("/{id}")
    InstructionDetail get(@PathVariable long id) {
        return browser.detail(id);
    }

    /** 409 when the new text, or the restored one, is too similar to another pool instruction. */
    @PatchMapping("/{id}")
    InstructionDetail patch(@PathVariable long id, @RequestBody InstructionPatch patch) {
        curation.edit(id, patch);
        return browser.detail(id);
    }
}
