package io.selfinstruct.web.admin;

import io.selfinstruct.llm.LlmCallRepository;
import io.selfinstruct.pool.Curation;
import io.selfinstruct.pool.InstructionDetail;
import io.selfinstruct.pool.InstructionPatch;
import io.selfinstruct.pool.InstructionStatus;
import io.selfinstruct.pool.Origin;
import io.selfinstruct.pool.PoolBrowser;
import io.selfinstruct.pool.PoolPage;
import io.selfinstruct.pool.PoolQuery;
import io.selfinstruct.pool.PoolSort;
import io.selfinstruct.problem.ConflictException;
import io.selfinstruct.problem.InvalidRequestException;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.util.UriComponentsBuilder;

/** The pool browser and an instruction's page, with its edit, reject and restore forms. */
@Controller
class PoolPagesController {

    private final PoolBrowser browser;
    private final Curation curation;
    private final LlmCallRepository llmCalls;

    PoolPagesController(PoolBrowser browser, Curation curation, LlmCallRepository llmCalls) {
        this.browser = browser;
        this.curation = curation;
        this.llmCalls = llmCalls;
    }

    @GetMapping("/admin/instructions")
    String list(
            @RequestParam(required = false) String q,
            @RequestParam(required = false) String status,
            @RequestParam(required = false) String origin,
            @RequestParam(required = false) String classification,
            @RequestParam(required = false) Long batchId,
            @RequestParam(required = false) String language,
            @RequestParam(required = false) String sort,
            @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size,
            Model model) {
        PoolQuery query = PoolQuery.parse(q, status, origin, classification, batchId, language, sort, page, size);
        PoolPage result = browser.search(query);
        model.addAttribute("query", query);
        model.addAttribute("result", result);
        model.addAttribute("statuses", InstructionStatus.values());
        model.addAttribute("origins", Origin.values());
        model.addAttribute("sorts", PoolSort.values());
        model.addAttribute("previousUrl", query.page() > 0 ? pageUrl(query, query.page() - 1) : null);
        model.addAttribute("nextUrl", result.hasNext() ? pageUrl(query, query.page() + 1) : null);
        return "admin/instructions";
    }

    /** The same search on another page; only the filters in use appear in the link. */
    private static String pageUrl(PoolQuery query, int page) {
        UriComponentsBuilder url = UriComponentsBuilder.fromPath("/admin/instructions");
        if (query.q() != null) {
            url.queryParam("q", query.q());
        }
        if (query.status() != null) {
            url.queryParam("status", query.status());
        }
        if (query.origin() != null) {
            url.queryParam("origin", query.origin());
        }
        if (query.classification() != null) {
            url.queryParam("classification", query.classification());
        }
        if (query.batchId() != null) {
            url.queryParam("batchId", query.batchId());
        }
        if (query.language() != null) {
            url.queryParam("language", query.language());
        }
        url.queryParam("sort", query.sort().parameter())
                .queryParam("size", query.size())
                .queryParam("page", page);
        return url.encode().build().toUriString();
    }

    @GetMapping("/admin/instructions/{id}")
    String detail(@PathVariable long id, Model model) {
        InstructionDetail detail = browser.detail(id);
        model.addAttribute("instruction", detail);
        model.addAttribute(
                "llmCall",
                detail.llmCall() == null
                        ? null
                        : llmCalls.findById(detail.llmCall().id()).orElse(null));
        return "admin/instruction";
    }

    @PostMapping("/admin/instructions/{id}/edit")
    String edit(@PathVariable long id, @RequestParam String text, RedirectAttributes redirect) {
        return change(
                id, new InstructionPatch(text, null, null), "Text saved; it passed the similarity check.", redirect);
    }

    @PostMapping("/admin/instructions/{id}/reject")
    String reject(@PathVariable long id, @RequestParam(required = false) String reason, RedirectAttributes redirect) {
        return change(id, new InstructionPatch(null, "REJECTED", reason), "Rejected.", redirect);
    }

    @PostMapping("/admin/instructions/{id}/restore")
    String restore(@PathVariable long id, RedirectAttributes redirect) {
        return change(
                id,
                new InstructionPatch(null, "ACCEPTED", null),
                "Restored; it passed the similarity check.",
                redirect);
    }

    private String change(long id, InstructionPatch patch, String done, RedirectAttributes redirect) {
        try {
            curation.edit(id, patch);
            redirect.addFlashAttribute("message", done);
        } catch (ConflictException | InvalidRequestException e) {
            redirect.addFlashAttribute("error", e.getMessage());
        }
        return "redirect:/admin/instructions/" + id;
    }
}
