package io.selfinstruct.web.admin;

import io.selfinstruct.problem.InvalidRequestException;
import io.selfinstruct.problem.NotFoundException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.servlet.ModelAndView;

/** Admin pages answer errors with a page, ahead of the API's problem details. */
@ControllerAdvice(basePackageClasses = AdminErrors.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class AdminErrors {

    @ExceptionHandler(NotFoundException.class)
    @ResponseStatus(HttpStatus.NOT_FOUND)
    ModelAndView notFound(NotFoundException e) {
        return page("Not found", e.getMessage());
    }

    @ExceptionHandler(InvalidRequestException.class)
    @ResponseStatus(HttpStatus.BAD_REQUEST)
    ModelAndView invalid(InvalidRequestException e) {
        return page("Invalid request", e.getMessage());
    }

    private static ModelAndView page(String title, String detail) {
        ModelAndView page = new ModelAndView("admin/error");
        page.addObject("title", title);
        page.addObject("detail", detail);
        return page;
    }
}
