package io.selfinstruct.web.admin;

import io.selfinstruct.export.ExportFormat;
import io.selfinstruct.generate.Batches;
import io.selfinstruct.pool.InstructionStatus;
import io.selfinstruct.pool.Origin;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * {@code /admin/exports}: format and filters; the form downloads from {@code /admin/export}, which serves the
 * same streamed export as {@code /api/export} behind the admin login.
 */
@Controller
class ExportPagesController {

    private final Batches batches;

    ExportPagesController(Batches batches) {
        this.batches = batches;
    }

    @GetMapping("/admin/exports")
    String page(Model model) {
        model.addAttribute("formats", ExportFormat.values());
        model.addAttribute("statuses", InstructionStatus.values());
        model.addAttribute("origins", Origin.values());
        model.addAttribute("batches", batches.list());
        return "admin/exports";
    }
}
